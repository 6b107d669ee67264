import { planStats, type PlanStats } from '@chunkwise/domain';
import type { HistoryEntry, HistoryResponse, PlanDetail, PlanSummary } from './api-client';
import { formatPercent, formatTime, table, truncate } from './output';

const STATUS_MARK: Record<string, string> = {
  pending: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  skipped: '↷',
};

const mark = (status: string) => `${STATUS_MARK[status] ?? '?'} ${status}`;

/** The plan list as a table (or a friendly line when empty). */
export function renderPlanList(plans: readonly PlanSummary[], filtered: boolean): string[] {
  if (plans.length === 0) {
    return [
      filtered
        ? 'No plans match.'
        : 'No plans yet. Create one with `chunkwise plans create --file plan.yaml`.',
    ];
  }
  return table(plans, [
    { header: 'ID', value: (p) => p.id },
    { header: 'TITLE', value: (p) => p.title + (p.archived ? ' (archived)' : ''), max: 48 },
    { header: 'STATUS', value: (p) => p.status },
    {
      header: 'REV',
      value: (p) =>
        String(p.revision) +
        (p.finalizedRevision !== null && p.finalizedRevision !== undefined
          ? ` (final ${p.finalizedRevision})`
          : ''),
      align: 'right',
    },
    { header: 'CHUNKS', value: (p) => String(p.chunkCount), align: 'right' },
    {
      header: 'TASKS',
      value: (p) => `${p.completedCount}/${p.taskCount}${p.failedCount ? ` (${p.failedCount} failed)` : ''}`,
      align: 'right',
    },
    { header: 'PROGRESS', value: (p) => formatPercent(p.progress), align: 'right' },
    { header: 'REPOSITORY', value: (p) => p.repository ?? '-', max: 40 },
    { header: 'UPDATED', value: (p) => formatTime(p.updatedAt) },
  ]);
}

function chunkHeader(chunk: PlanDetail['chunks'][number]): string {
  const flags: string[] = [chunk.executionMode];
  if (chunk.pauseAfter) flags.push('pause after');
  const stats = chunk.stats ?? statsOf(chunk.tasks);
  const done = stats.byStatus.completed + stats.byStatus.skipped;
  const failed = stats.byStatus.failed ? `, ${stats.byStatus.failed} failed` : '';
  return `${chunk.key} — ${chunk.title}  [${flags.join(', ')}]  ${done}/${stats.tasks} done${failed}`;
}

function statsOf(tasks: PlanDetail['chunks'][number]['tasks']): PlanStats {
  return planStats({ title: '', description: '', repository: null, chunks: [], tasks, execution: null });
}

function indentBlock(text: string, indent: string, maxLines = 12): string[] {
  const lines = text.trimEnd().split('\n');
  const shown = lines.slice(0, maxLines).map((l) => (l.trim() ? indent + l : ''));
  if (lines.length > maxLines)
    shown.push(`${indent}… (${lines.length - maxLines} more lines; use --json for everything)`);
  return shown;
}

/** A plan grouped by chunk: header, then each chunk with its mode and its tasks (status, deps). */
export function renderPlanDetail(plan: PlanDetail, note?: string): string[] {
  const lines: string[] = [];
  lines.push(`${plan.title}${plan.archived ? '  (archived)' : ''}`);
  const final =
    plan.finalizedRevision !== null && plan.finalizedRevision !== undefined
      ? `, finalized at revision ${plan.finalizedRevision}`
      : '';
  const stats = plan.stats;
  const failed = plan.failedCount ? `, ${plan.failedCount} failed` : '';
  lines.push(
    ...table(
      [
        ['id', plan.id],
        ['status', `${plan.status} (revision ${plan.revision}${final})`],
        ['repository', plan.repository ?? '-'],
        [
          'progress',
          `${plan.completedCount}/${plan.taskCount} tasks done (${formatPercent(plan.progress)})${failed}; ${stats?.chunks ?? plan.chunkCount} chunks`,
        ],
        ['created', formatTime(plan.createdAt)],
        ['updated', formatTime(plan.updatedAt)],
      ] as const,
      [
        { header: '', value: (r) => r[0] },
        { header: '', value: (r) => r[1] },
      ],
      '  ',
    ).slice(1),
  );
  if (note) lines.push(`  note        ${note}`);
  if (plan.description?.trim()) lines.push('', ...indentBlock(plan.description, '  '));

  for (const chunk of plan.chunks) {
    lines.push('', chunkHeader(chunk));
    if (chunk.description?.trim()) lines.push(...indentBlock(chunk.description, '  ', 3));
    if (chunk.tasks.length === 0) {
      lines.push('  (no tasks)');
      continue;
    }
    const withCommit = chunk.tasks.some((t) => t.commitSha);
    const withAttempts = chunk.tasks.some((t) => t.attempts > 0);
    lines.push(
      ...table(
        chunk.tasks,
        [
          { header: 'TASK', value: (t) => t.id },
          { header: 'TITLE', value: (t) => t.title, max: 56 },
          { header: 'STATUS', value: (t) => mark(t.status) },
          {
            header: 'DEPENDS ON',
            value: (t) => (t.dependsOn.length ? t.dependsOn.join(', ') : '-'),
            max: 40,
          },
          { header: 'PARALLEL', value: (t) => (t.canRunInParallel ? 'yes' : '-') },
          ...(withAttempts
            ? [
                {
                  header: 'ATTEMPTS',
                  value: (t: (typeof chunk.tasks)[number]) => String(t.attempts),
                  align: 'right' as const,
                },
              ]
            : []),
          ...(withCommit
            ? [
                {
                  header: 'COMMIT',
                  value: (t: (typeof chunk.tasks)[number]) => (t.commitSha ?? '-').slice(0, 10),
                },
              ]
            : []),
        ],
        '  ',
      ),
    );
    for (const t of chunk.tasks) {
      if (t.lastError) lines.push(`  ${t.id} last error: ${truncate(t.lastError, 160)}`);
    }
  }
  if (plan.chunks.length === 0) lines.push('', '(no chunks)');
  lines.push(...renderFeedback(plan.feedback ?? []));
  return lines;
}

function renderFeedback(feedback: HistoryResponse['feedback']): string[] {
  if (!feedback.length) return [];
  return [
    '',
    `Feedback (${feedback.length}):`,
    ...feedback.map((f) => `  r${f.revision} ${f.author ? `${f.author}: ` : ''}${truncate(f.feedback, 200)}`),
  ];
}

type Data = Record<string, unknown>;
const str = (v: unknown) =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
const keys = (v: unknown) => (v && typeof v === 'object' ? Object.keys(v).join(', ') : '');
const quote = (v: unknown, max = 60) => `"${truncate(str(v), max)}"`;

/** A one-line human summary of an event on a plan's stream. */
export function summarizeEvent(type: string, raw: unknown): string {
  const d = (raw && typeof raw === 'object' ? raw : {}) as Data;
  const content = d.content as { title?: string; chunks?: unknown[]; tasks?: unknown[] } | undefined;
  const size = content ? `${content.chunks?.length ?? 0} chunks, ${content.tasks?.length ?? 0} tasks` : '';
  switch (type) {
    case 'PlanCreated': {
      const source = d.source as { kind?: string; format?: string } | undefined;
      const from = source?.kind ? ` (via ${source.kind}${source.format ? `, ${source.format}` : ''})` : '';
      return `created ${quote(content?.title)}: ${size}${from}`;
    }
    case 'PlanDetailsUpdated':
      return `details changed: ${keys(d.changes)}`;
    case 'PlanContentReplaced':
      return `content replaced: ${size}${d.reason ? ` — ${truncate(str(d.reason), 80)}` : ''}`;
    case 'ChunkAdded': {
      const chunk = d.chunk as { key?: string; title?: string } | undefined;
      return `chunk ${chunk?.key ?? '?'} added ${quote(chunk?.title)} at position ${Number(d.index ?? 0) + 1}`;
    }
    case 'ChunkUpdated':
      return `chunk ${str(d.key)} changed: ${keys(d.changes)}`;
    case 'ChunkExecutionConfigured':
      return `chunk ${str(d.key)}: ${str(d.executionMode)}${d.pauseAfter ? ', pause after' : ''}`;
    case 'ChunkRemoved':
      return `chunk ${str(d.key)} removed`;
    case 'ChunksReordered':
      return `chunks reordered: ${Array.isArray(d.order) ? d.order.join(', ') : ''}`;
    case 'TaskAdded': {
      const task = d.task as { id?: string; chunk?: string; title?: string } | undefined;
      return `task ${task?.id ?? '?'} added to ${task?.chunk ?? '?'} ${quote(task?.title)}`;
    }
    case 'TaskUpdated':
      return `task ${str(d.taskId)} changed: ${keys(d.changes)}`;
    case 'TaskRemoved':
      return `task ${str(d.taskId)} removed`;
    case 'TaskMoved':
      return `task ${str(d.taskId)} moved to ${str(d.toChunk)} at position ${Number(d.index ?? 0) + 1}`;
    case 'TaskDependenciesSet':
      return Array.isArray(d.dependsOn) && d.dependsOn.length
        ? `task ${str(d.taskId)} depends on ${d.dependsOn.join(', ')}`
        : `task ${str(d.taskId)} has no dependencies`;
    case 'FeedbackRecorded':
      return `feedback${d.author ? ` from ${str(d.author)}` : ''}: ${quote(d.feedback, 80)}`;
    case 'PlanFinalized':
      return `finalized revision ${str(d.revision)}`;
    case 'PlanReopened':
      return `reopened for editing${d.reason ? `: ${truncate(str(d.reason), 80)}` : ''}`;
    case 'PlanArchived':
      return 'archived';
    default: {
      // Events this CLI does not know yet (execution, review…): their scalar fields.
      const parts = Object.entries(d)
        .filter(
          ([k, v]) => k !== 'revision' && v !== null && ['string', 'number', 'boolean'].includes(typeof v),
        )
        .map(([k, v]) => `${k}=${truncate(String(v), 40)}`);
      return parts.join(' ') || '-';
    }
  }
}

/** The history of a plan: one line per event (time, revision, type, summary), then the feedback. */
export function renderHistory(history: HistoryResponse): string[] {
  if (history.entries.length === 0) return [`Plan ${history.planId} has no events.`];
  const lines = table(history.entries, [
    { header: 'TIME', value: (e: HistoryEntry) => formatTime(e.recordedAt) },
    { header: 'REV', value: (e) => String(e.revision), align: 'right' },
    { header: 'EVENT', value: (e) => e.type },
    { header: 'SUMMARY', value: (e) => summarizeEvent(e.type, e.data), max: 100 },
  ]);
  return [...lines, ...renderFeedback(history.feedback ?? [])];
}
