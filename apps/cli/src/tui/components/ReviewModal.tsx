import { truncate } from '../../output';
import { ink } from '../ink-runtime';
import { REVIEW_ACTIONS, type ReviewAction, type TuiState } from '../state';
import { marker, useColor, useSize, windowOf } from './ui';

export const ACTION_LABELS: Record<ReviewAction, string> = {
  continue: 'Continue planning',
  quick: 'Quick edit',
  review: 'Review',
  finalize: 'Finalize and execute',
  cancel: 'Cancel',
};
const ACTION_KEYS: Record<ReviewAction, string> = {
  continue: 'c',
  quick: 'q',
  review: 'r',
  finalize: 'f',
  cancel: 'x',
};

type Row =
  { kind: 'chunk'; key: string; text: string } | { kind: 'task'; id: string; index: number; text: string };

/**
 * The planning review modal: the plan grouped by chunk (status and progress per chunk), a task
 * browser, the revision and iteration count, what the last turn changed (marked `*`), the actions.
 */
export function ReviewModal({ state }: { state: TuiState }) {
  const { Box, Text } = ink();
  const color = useColor();
  const { columns, rows: height } = useSize();
  const plan = state.plan;
  if (!plan) return null;
  const changed = new Set([...(state.changes?.tasks ?? []), ...(state.changes?.chunks ?? [])]);
  const width = Math.max(40, columns - 4);

  const rows: Row[] = [];
  let index = 0;
  for (const c of plan.chunks) {
    const done = c.stats.byStatus.completed + c.stats.byStatus.skipped;
    const mark = changed.has(c.key) ? '* ' : '';
    rows.push({
      kind: 'chunk',
      key: c.key,
      text: `${mark}${c.key} — ${c.title}  [${c.executionMode}${c.pauseAfter ? ', pause after' : ''}]  ${done}/${c.tasks.length} done`,
    });
    for (const t of c.tasks) {
      const deps = t.dependsOn.length ? `  ← ${t.dependsOn.join(', ')}` : '';
      const flag = changed.has(t.id) ? '*' : ' ';
      rows.push({
        kind: 'task',
        id: t.id,
        index: index++,
        text: `${flag} ${t.id}  ${t.title}${t.canRunInParallel ? ' ∥' : ''}${deps}  (${t.status})`,
      });
    }
  }
  const cursorRow = rows.findIndex((r) => r.kind === 'task' && r.index === state.cursor);
  // Header (3), actions (2), borders (2), status and help (4), the app's title (1).
  const [start, end] = windowOf(rows.length, Math.max(0, cursorRow), Math.max(4, height - 13));
  const iterations = `${plan.planningIterations} planning iteration${plan.planningIterations === 1 ? '' : 's'}`;
  const last =
    plan.planningIterations > 1 && plan.lastPlanningMode
      ? ` (last: ${plan.lastPlanningMode === 'multi' ? 'continue planning' : 'quick edit'})`
      : '';
  const changes = state.changes;
  const removed = changes?.removed.length ? `; removed ${changes.removed.join(', ')}` : '';

  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>{truncate(`Plan review — ${plan.title} (${plan.id})`, width)}</Text>
      <Text>
        {truncate(
          `revision ${plan.revision} · ${iterations}${last} · ${plan.status} · ${plan.chunks.length} chunks, ${plan.taskCount} tasks`,
          width,
        )}
      </Text>
      <Text color={color('yellow')}>
        {changes
          ? truncate(
              `changed r${changes.from} → r${changes.to}: ${changes.tasks.length + changes.chunks.length} marked *${removed}`,
              width,
            )
          : ' '}
      </Text>
      {rows.slice(start, end).map((r) => {
        if (r.kind === 'chunk')
          return (
            <Text key={`c-${r.key}`} bold color={changed.has(r.key) ? color('yellow') : color('blue')}>
              {truncate(r.text, width)}
            </Text>
          );
        const focused = r.index === state.cursor && state.focus === 'tasks';
        return (
          <Text key={`t-${r.id}`} inverse={focused} color={changed.has(r.id) ? color('yellow') : undefined}>
            {truncate(`${marker(r.index === state.cursor)}${r.text}`, width)}
          </Text>
        );
      })}
      <Box marginTop={1}>
        <Text>
          {REVIEW_ACTIONS.map((a, i) => {
            const focused = i === state.action;
            const label = `${ACTION_KEYS[a]}: ${ACTION_LABELS[a]}`;
            return (
              <Text key={a} inverse={focused && state.focus === 'actions'} bold={focused}>
                {focused ? `[${label}]` : ` ${label} `}{' '}
              </Text>
            );
          })}
        </Text>
      </Box>
    </Box>
  );
}
