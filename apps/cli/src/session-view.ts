import type { SessionProgress } from './api-client';
import { formatDuration, truncate } from './output';

/** How a session ended, as far as the watcher can tell. */
export type SessionEnd = 'completed' | 'failed' | 'cancelled' | 'stopped';
export const ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'stopped']);

type ChunkProgress = SessionProgress['chunks'][number];
type TaskProgress = SessionProgress['tasks'][number];

const BAR_WIDTH = 24;

/** `████████░░░░` for done/total (an empty bar for an empty chunk). */
export function bar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

const CHUNK_MARK: Record<string, string> = {
  pending: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  out_of_scope: '-',
};

const TASK_MARK: Record<string, string> = {
  pending: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  skipped: '↷',
};

const doneOf = (c: ChunkProgress) => c.completed + c.skipped;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the user can do now, as commands to copy. */
export function nextSteps(p: SessionProgress, planId: string): string[] {
  if (p.status !== 'paused') {
    if (p.status === 'running') return [`pause: chunkwise pause ${planId}   stop: chunkwise stop ${planId}`];
    if (p.status === 'stopped') return [`resume: chunkwise resume ${planId}`];
    return [];
  }
  const failed = p.tasks.find((t) => t.status === 'failed' && !t.outOfScope);
  switch (p.pauseReason) {
    case 'task_failed': {
      const t = failed?.id ?? '<task>';
      return [
        `fix it, then one of: chunkwise retry ${planId} ${t}  |  chunkwise skip ${planId} ${t}  |  ` +
          `chunkwise complete ${planId} ${t}  |  chunkwise cancel ${planId}`,
      ];
    }
    case 'approval': {
      const t = p.tasks.find((x) => x.chunk === p.currentChunk && x.status === 'pending' && !x.outOfScope);
      const id = t?.id ?? '<task>';
      return [`approve: chunkwise approve ${planId} ${id}   skip: chunkwise approve ${planId} ${id} --skip`];
    }
    case 'chunk_failed':
      return [`look at the last error, then: chunkwise resume ${planId}  |  chunkwise cancel ${planId}`];
    case 'host_lost':
      return [
        `bring the host back (same CHUNKWISE_HOST_ID) or add a remote (origin), then: chunkwise resume ${planId}`,
      ];
    case 'budget_exceeded':
      return [
        `raise the budget, then resume: chunkwise budget ${planId} --usd <n>  &&  chunkwise resume ${planId}`,
      ];
    default:
      return [`continue${p.currentChunk ? ` with ${p.currentChunk}` : ''}: chunkwise resume ${planId}`];
  }
}

function chunkFlags(c: ChunkProgress): string {
  const flags: string[] = [c.executionMode];
  if (c.pauseAfter) flags.push('pause after');
  return flags.join(', ');
}

function taskLine(t: TaskProgress, now: number, width: number): string {
  const since = t.status === 'running' && t.startedAt ? `, ${formatDuration(now - t.startedAt)}` : '';
  const attempt = t.attempts > 0 ? ` (attempt ${t.attempts}${since})` : '';
  return truncate(`      ${TASK_MARK[t.status] ?? '?'} ${t.id} ${t.title}${attempt}`, width);
}

export interface LiveViewOptions {
  planId: string;
  title?: string;
  now?: number;
  /** Terminal width (lines are cut to it). */
  width?: number;
  /** `true` when the connection to the event stream is down (polling instead). */
  polling?: boolean;
}

/** The live display of a session: a bar per chunk, the running tasks, errors, pause reason, next step. */
export function renderLive(p: SessionProgress, o: LiveViewOptions): string[] {
  const now = o.now ?? Date.now();
  const width = Math.max(40, o.width ?? 100);
  const lines: string[] = [];
  const head = `${o.title ? `${o.title} — ` : ''}plan ${p.planId}, session ${p.sessionId}`;
  lines.push(truncate(head, width));
  const status = p.status === 'paused' ? `paused (${p.pauseReason ?? 'user'})` : p.status;
  lines.push(
    `  ${status} · ${p.totals.completed + p.totals.skipped}/${p.totals.tasks} tasks done` +
      `${p.totals.failed ? ` · ${p.totals.failed} failed` : ''} · ${plural(p.commits.length, 'commit')} · ` +
      `${formatDuration(p.elapsedMs)}${o.polling ? ' · (polling)' : ''}`,
  );
  // Multi-repository plans: a line per repository (each has the session's branch).
  if (p.repositories && p.repositories.length > 1) {
    for (const r of p.repositories)
      lines.push(
        truncate(
          `  repository ${r.repository ?? '(the plan’s)'}: ${r.completed}/${r.tasks} tasks` +
            `${r.failed ? `, ${r.failed} failed` : ''} · ${plural(r.commits.length, 'commit')}`,
          width,
        ),
      );
  }
  const keyWidth = Math.max(...p.chunks.map((c) => c.key.length), 5);
  for (const c of p.chunks) {
    if (c.status === 'out_of_scope') {
      lines.push(truncate(`  - ${c.key.padEnd(keyWidth)}  (not in this session)`, width));
      continue;
    }
    const count = `${doneOf(c)}/${c.total}`.padStart(5);
    const failed = c.failed ? `, ${c.failed} failed` : '';
    lines.push(
      truncate(
        `  ${CHUNK_MARK[c.status] ?? '?'} ${c.key.padEnd(keyWidth)}  ${bar(doneOf(c), c.total)} ${count}  ` +
          `${c.title} [${chunkFlags(c)}]${failed}`,
        width,
      ),
    );
    const shown = p.tasks.filter(
      (t) => t.chunk === c.key && !t.outOfScope && (t.status === 'running' || t.status === 'failed'),
    );
    for (const t of shown) {
      lines.push(taskLine(t, now, width));
      if (t.lastError) lines.push(truncate(`          last error: ${t.lastError}`, width));
    }
    // A retry in progress: the error of the previous attempt of a pending or running task.
    for (const t of p.tasks.filter(
      (x) => x.chunk === c.key && x.status === 'pending' && x.attempts > 0 && x.lastError,
    )) {
      lines.push(
        truncate(`      ↻ ${t.id} will retry (attempt ${t.attempts} failed: ${t.lastError})`, width),
      );
    }
  }
  if (p.status === 'paused') {
    const detail = p.pauseDetail ? `: ${p.pauseDetail}` : '';
    lines.push('', ...wrapDetail(`paused (${p.pauseReason ?? 'user'})${detail}`, width));
  }
  if (p.nextChunk && p.status !== 'completed') lines.push(`  next chunk: ${p.nextChunk}`);
  for (const step of nextSteps(p, o.planId)) lines.push(truncate(`  ${step}`, width));
  return lines;
}

function wrapDetail(text: string, width: number, maxLines = 6): string[] {
  const out = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => truncate(`  ${l}`, width));
  return out.length > maxLines ? [...out.slice(0, maxLines), '  …'] : out;
}

/**
 * The lines to append (non-TTY) for the change from `prev` to `next`: tasks started, finished,
 * retried or failed, chunks completed, pauses and resumes. `prev` null: the first sight.
 */
export function describeChanges(
  prev: SessionProgress | null,
  next: SessionProgress,
  planId: string,
): string[] {
  const at = `[${formatDuration(next.elapsedMs).padStart(8)}]`;
  const out: string[] = [];
  const say = (s: string) => out.push(`${at} ${s}`);
  if (!prev || prev.sessionId !== next.sessionId) {
    const scoped = next.chunks.filter((c) => c.status !== 'out_of_scope').length;
    say(
      `session ${next.sessionId} of plan ${planId}: ${next.status}, ${plural(next.totals.tasks, 'task')} in ` +
        `${plural(scoped, 'chunk')}, branch ${next.branch}`,
    );
  }
  const before = new Map((prev?.sessionId === next.sessionId ? prev.tasks : []).map((t) => [t.id, t]));
  const chunksBefore = new Map(
    (prev?.sessionId === next.sessionId ? prev.chunks : []).map((c) => [c.key, c]),
  );
  for (const c of next.chunks) {
    const was = chunksBefore.get(c.key);
    if (c.status === 'running' && was?.status !== 'running')
      say(`${c.key} started (${c.title}; ${c.executionMode}, ${plural(c.total, 'task')})`);
  }
  for (const t of next.tasks) {
    if (t.outOfScope) continue;
    const was = before.get(t.id);
    const changed = !was || was.status !== t.status || was.attempts !== t.attempts;
    if (!changed) continue;
    if (!was && t.status === 'pending' && t.attempts === 0) continue;
    if (was && t.attempts > was.attempts && was.attempts > 0 && t.lastError && t.status !== 'failed')
      if (!(was.status === 'pending' && was.lastError === t.lastError))
        say(`${t.id} attempt ${t.attempts - 1} failed: ${truncate(t.lastError, 200)}`);
    if (t.status === 'running') say(`${t.id} running: ${t.title} (attempt ${Math.max(1, t.attempts)})`);
    else if (t.status === 'completed')
      say(`${t.id} completed${t.commitSha ? ` (commit ${t.commitSha.slice(0, 10)})` : ''}: ${t.title}`);
    else if (t.status === 'skipped') say(`${t.id} skipped`);
    else if (t.status === 'failed')
      say(`${t.id} FAILED after ${plural(t.attempts, 'attempt')}: ${truncate(t.lastError ?? '', 200)}`);
    else if (t.status === 'pending' && t.attempts > 0 && t.lastError)
      say(`${t.id} attempt ${t.attempts} failed: ${truncate(t.lastError, 200)}`);
  }
  for (const c of next.chunks) {
    const was = chunksBefore.get(c.key);
    if (c.status === 'completed' && was && was.status !== 'completed')
      say(`${c.key} completed: ${doneOf(c)}/${c.total} done`);
    if (c.status === 'failed' && was && was.status !== 'failed') say(`${c.key} FAILED`);
  }
  const samePause =
    prev?.sessionId === next.sessionId &&
    prev.status === next.status &&
    prev.pauseReason === next.pauseReason &&
    prev.pauseDetail === next.pauseDetail;
  if (next.status === 'paused' && !samePause) {
    say(
      `paused (${next.pauseReason ?? 'user'})${next.pauseDetail ? `: ${next.pauseDetail.split('\n')[0]}` : ''}`,
    );
    for (const step of nextSteps(next, planId)) say(`  ${step}`);
  } else if (prev?.sessionId === next.sessionId && prev.status === 'paused' && next.status === 'running') {
    say('resumed');
  }
  return out;
}

/** The closing line of a watch. */
export function endLine(end: SessionEnd, detail: string | undefined, planId: string): string {
  const counts = detail ? `: ${detail}` : '';
  switch (end) {
    case 'completed':
      return `session completed${counts}`;
    case 'stopped':
      return `session stopped${counts}; continue with: chunkwise resume ${planId}`;
    case 'failed':
      return `session failed${counts}; see: chunkwise plans show ${planId}`;
    default:
      return `session ${end}${counts}`;
  }
}
