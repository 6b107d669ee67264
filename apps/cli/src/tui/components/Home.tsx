import { formatPercent, truncate } from '../../output';
import { ink } from '../ink-runtime';
import type { TuiState } from '../state';
import { marker, useColor, useSize, windowOf } from './ui';

/** The normal mode: the plans to open (the latest resumable first, so resume is the default). */
export function Home({ state }: { state: TuiState }) {
  const { Box, Text } = ink();
  const color = useColor();
  const { columns, rows } = useSize();
  const [start, end] = windowOf(state.plans.length, state.cursor, Math.max(3, rows - 8));
  const latest = state.plans.find((p) => p.status === 'paused');
  return (
    <Box flexDirection="column">
      <Text bold>Plans</Text>
      {latest ? (
        <Text color={color('yellow')}>
          resumable: {latest.title} ({latest.id}) — r resumes it
        </Text>
      ) : null}
      {state.plans.length === 0 ? <Text>No plans yet: n describes a new one.</Text> : null}
      {state.plans.slice(start, end).map((p, i) => {
        const focused = start + i === state.cursor;
        const line = `${marker(focused)}${p.id}  ${p.status.padEnd(9)} r${p.revision}  ${formatPercent(p.progress).padStart(4)}  ${p.title}`;
        return (
          <Text key={p.id} inverse={focused} bold={focused}>
            {truncate(line, columns - 1)}
          </Text>
        );
      })}
    </Box>
  );
}
