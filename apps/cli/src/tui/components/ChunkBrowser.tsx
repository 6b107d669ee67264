import { bar } from '../../session-view';
import { formatDuration, truncate } from '../../output';
import { ink } from '../ink-runtime';
import { waitingTask } from '../keys';
import type { TuiState } from '../state';
import { marker, useColor, useNow, useSize, windowOf } from './ui';

/** One chunk as the browser shows it: its state in the session (or the plan) and its progress. */
export interface ChunkRow {
  key: string;
  title: string;
  state: 'current' | 'next' | 'completed' | 'failed' | 'pending' | 'not in session';
  done: number;
  total: number;
  failed: number;
}

const STATE_MARK: Record<ChunkRow['state'], string> = {
  current: '▶',
  next: '»',
  completed: '✓',
  failed: '✗',
  pending: '·',
  'not in session': '-',
};

/** The chunks with their state: from the live session when there is one, else from the plan. */
export function chunkRows(state: TuiState): ChunkRow[] {
  const { plan, progress: p } = state;
  if (!plan) return [];
  if (p) {
    return p.chunks.map((c) => ({
      key: c.key,
      title: c.title,
      state:
        c.status === 'out_of_scope'
          ? 'not in session'
          : c.status === 'completed' || c.status === 'failed'
            ? c.status
            : c.key === p.currentChunk
              ? 'current'
              : c.key === p.nextChunk
                ? 'next'
                : 'pending',
      done: c.completed + c.skipped,
      total: c.total,
      failed: c.failed,
    }));
  }
  // Without a session, current and next are where a new one would start (none once the plan is over).
  const startable = plan.status === 'ready' || plan.status === 'paused' || plan.status === 'running';
  const open = startable ? plan.chunks.filter((c) => c.stats.progress < 1) : [];
  return plan.chunks.map((c) => {
    const done = c.stats.byStatus.completed + c.stats.byStatus.skipped;
    const failed = c.stats.byStatus.failed;
    return {
      key: c.key,
      title: c.title,
      state:
        c.tasks.length > 0 && done === c.tasks.length
          ? 'completed'
          : failed > 0
            ? 'failed'
            : c.key === open[0]?.key
              ? 'current'
              : c.key === open[1]?.key
                ? 'next'
                : 'pending',
      done,
      total: c.tasks.length,
      failed,
    };
  });
}

/** The execute view: the chunk browser, the selection input, and the live session. */
export function ChunkBrowser({ state }: { state: TuiState }) {
  const { Box, Text } = ink();
  const color = useColor();
  const { columns, rows: height } = useSize();
  const p = state.progress;
  const now = useNow(p?.status === 'running', 1000);
  const plan = state.plan;
  if (!plan) return null;
  const width = Math.max(40, columns - 2);
  const chunks = chunkRows(state);
  const keyWidth = Math.max(5, ...chunks.map((c) => c.key.length));
  const barWidth = columns >= 100 ? 20 : 10;
  const running = p ? p.tasks.filter((t) => t.status === 'running' && !t.outOfScope) : [];
  const troubled = p
    ? p.tasks.filter(
        (t) =>
          !t.outOfScope &&
          t.lastError &&
          (t.status === 'failed' || t.status === 'pending' || t.status === 'running'),
      )
    : [];
  const waiting = waitingTask(p);
  // Title (2), session (1), selection (1), live lines (~6), status and help (4), the app's title (1).
  const [start, end] = windowOf(chunks.length, state.cursor, Math.max(3, height - 15));
  const session = p
    ? `session ${p.sessionId} ${p.status === 'paused' ? `paused (${p.pauseReason ?? 'user'})` : p.status} · ` +
      `${p.totals.completed + p.totals.skipped}/${p.totals.tasks} done${p.totals.failed ? `, ${p.totals.failed} failed` : ''} · ` +
      `${p.commits.length} commits · ${formatDuration(p.elapsedMs)}`
    : `no live session · plan ${plan.status} · ${plan.stats.byStatus.completed + plan.stats.byStatus.skipped}/${plan.taskCount} done`;
  // Once the plan is over, say so rather than the state of a session that no longer runs.
  const over = !p && ['completed', 'failed', 'cancelled'].includes(plan.status);
  const mode = over ? plan.status : state.mode === 'execution_resumable' ? 'resumable' : 'active';

  return (
    <Box flexDirection="column">
      <Text bold>{truncate(`Execute — ${plan.title}`, width)}</Text>
      <Text>
        {truncate(`plan ${plan.id} · revision ${plan.finalizedRevision ?? plan.revision} · ${mode}`, width)}
      </Text>
      <Text color={p?.status === 'paused' ? color('yellow') : color('green')}>
        {truncate(session, width)}
      </Text>
      {p?.repositories && p.repositories.length > 1 ? (
        <Text>
          {truncate(
            `repositories: ${p.repositories
              .map(
                (r) =>
                  `${r.repository ?? 'plan’s'} ${r.completed}/${r.tasks}${r.failed ? ` (${r.failed} failed)` : ''}`,
              )
              .join(' · ')}`,
            width,
          )}
        </Text>
      ) : null}
      {chunks.slice(start, end).map((c, j) => {
        const i = start + j;
        const focused = i === state.cursor;
        const failed = c.failed ? `, ${c.failed} failed` : '';
        const line =
          `${marker(focused)}${STATE_MARK[c.state]} ${c.key.padEnd(keyWidth)} ${bar(c.done, c.total, barWidth)} ` +
          `${`${c.done}/${c.total}`.padStart(5)}  ${c.state.padEnd(9)} ${c.title}${failed}`;
        const tint =
          c.state === 'failed'
            ? 'red'
            : c.state === 'completed'
              ? 'green'
              : c.state === 'current'
                ? 'cyan'
                : undefined;
        return (
          <Text key={c.key} inverse={focused} color={tint ? color(tint) : undefined}>
            {truncate(line, width)}
          </Text>
        );
      })}
      <Text>
        Selection: <Text inverse>{state.selection || 'all chunks'}</Text>
        {state.anchor ? '  (pick another chunk for a range)' : ''}
      </Text>
      {running.map((t) => (
        <Text key={`r-${t.id}`} color={color('cyan')}>
          {truncate(
            `running ${t.id} ${t.title} (attempt ${Math.max(1, t.attempts)}${t.startedAt ? `, ${formatDuration(Math.max(0, now - t.startedAt))}` : ''})`,
            width,
          )}
        </Text>
      ))}
      {troubled.slice(0, 2).map((t) => (
        <Text key={`e-${t.id}`} color={color('red')}>
          {truncate(
            `${t.status === 'failed' ? 'FAILED' : 'retrying'} ${t.id} after ${t.attempts} attempt(s): ${t.lastError?.split('\n')[0] ?? ''}`,
            width,
          )}
        </Text>
      ))}
      {state.qa.length > 0 ? (
        <Text>
          {truncate(
            `QA: ${state.qa.map((q) => `${q.passed ? '✓' : '✗'} ${q.gate}${q.taskId ? ` ${q.taskId}` : ''}`).join('  ')}`,
            width,
          )}
        </Text>
      ) : null}
      {waiting ? (
        <Text color={color('yellow')} bold>
          {waiting.why === 'failed'
            ? `${waiting.id} failed: t retry · e edit and retry · k skip · m mark complete`
            : `${waiting.id} waits for approval (manual chunk): a approve · k skip · e edit and approve`}
        </Text>
      ) : null}
    </Box>
  );
}
