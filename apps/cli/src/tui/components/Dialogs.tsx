import { describeSuggestion, reviewTypeName } from '../../plan-render';
import { truncate } from '../../output';
import { ink } from '../ink-runtime';
import { REVIEW_TYPES, reviewScopes } from '../keys';
import { planTasks, type TuiState } from '../state';
import { marker, useColor, useSize, windowOf } from './ui';

/** The dialog over the current screen, if one is open: text fields, pickers, task details. */
export function Dialog({ state }: { state: TuiState }) {
  const { Box, Text } = ink();
  const color = useColor();
  const { columns, rows } = useSize();
  const width = Math.max(40, columns - 4);
  const o = state.overlay;
  const frame = (title: string, children: React.ReactNode) => (
    <Box flexDirection="column" borderStyle="double" paddingX={1}>
      <Text bold color={color('cyan')}>
        {title}
      </Text>
      {children}
    </Box>
  );
  const field = (label: string, text: string) => (
    <Text>
      {label} <Text inverse>{`${text}▏`}</Text>
    </Text>
  );
  switch (o.kind) {
    case 'none':
      return null;
    case 'describe':
      return frame('New plan — what should be built?', field('›', o.text));
    case 'selection':
      return frame('Chunks to run (C03, or a range like C02-C04; empty: all)', field('›', o.text));
    case 'feedback':
      return frame(
        o.mode === 'multi'
          ? 'Continue planning (drafts in parallel, then a judge) — feedback:'
          : 'Quick edit (one direct edit) — feedback:',
        field('›', o.text),
      );
    case 'edit_task':
      return frame(
        `${o.verb === 'retry' ? 'Edit and retry' : o.verb === 'approve' ? 'Edit and approve' : 'Edit'} ${o.taskId} — description:`,
        field('›', o.text),
      );
    case 'task': {
      const task = planTasks(state.plan).find((t) => t.id === o.taskId);
      if (!task) return null;
      return frame(
        `${task.id} — ${task.title}`,
        <>
          <Text>
            chunk {task.chunk} · {task.status}
            {task.canRunInParallel ? ' · may run in parallel' : ''}
          </Text>
          <Text>{truncate(task.description || '(no description)', width * 4)}</Text>
          <Text bold>Acceptance</Text>
          {task.acceptance.length ? (
            task.acceptance.map((a, i) => <Text key={i}> - {truncate(a, width - 4)}</Text>)
          ) : (
            <Text> (none)</Text>
          )}
          <Text bold>Depends on</Text>
          <Text> {task.dependsOn.length ? task.dependsOn.join(', ') : '(nothing)'}</Text>
        </>,
      );
    }
    case 'review_type':
      return frame(
        'Review — which kind?',
        REVIEW_TYPES.map((t, i) => (
          <Text key={t} inverse={i === o.cursor}>
            {marker(i === o.cursor)}
            {i + 1}. {reviewTypeName(t)} ({t})
          </Text>
        )),
      );
    case 'review_scope': {
      const scopes = reviewScopes(state);
      const cursor = Math.min(o.cursor, scopes.length - 1);
      return frame(
        `Review (${reviewTypeName(o.type)}) — which scope?`,
        scopes.map((s, i) => (
          <Text key={s.scope} inverse={i === cursor}>
            {marker(i === cursor)}
            {s.scope === 'all' ? 'the whole plan' : `${s.scope} ${s.targetId}`}
          </Text>
        )),
      );
    }
    case 'suggestions': {
      const { set } = o;
      const [start, end] = windowOf(
        set.suggestions.length,
        o.cursor,
        Math.max(3, Math.floor((rows - 10) / 2)),
      );
      return frame(
        `${set.suggestions.length} suggestion${set.suggestions.length === 1 ? '' : 's'} (${reviewTypeName(set.reviewType)}) — pick the ones to apply`,
        set.suggestions.slice(start, end).map((s, j) => {
          const i = start + j;
          const applied = set.applied.includes(s.id);
          const box = applied ? '[applied]' : o.picked.includes(s.id) ? '[x]' : '[ ]';
          const [first] = describeSuggestion(s);
          return (
            <Box key={s.id} flexDirection="column">
              <Text inverse={i === o.cursor}>
                {truncate(`${marker(i === o.cursor)}${box} ${first.trim()}`, width)}
              </Text>
              {s.reasoning ? <Text dimColor>{truncate(`      ${s.reasoning}`, width)}</Text> : null}
            </Box>
          );
        }),
      );
    }
  }
}
