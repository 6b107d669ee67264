import { formatDuration } from '../../output';
import { ink } from '../ink-runtime';
import type { TuiState } from '../state';
import { useColor, useNow } from './ui';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** While the model (or the API) works: a spinner and the elapsed time; else the last error or notice. */
export function StatusBar({ state }: { state: TuiState }) {
  const { Box, Text } = ink();
  const color = useColor();
  const now = useNow(state.busy !== null, 100);
  if (state.busy) {
    const elapsed = Math.max(0, now - state.busy.since);
    const frame = FRAMES[Math.floor(elapsed / 100) % FRAMES.length];
    return (
      <Text color={color('cyan')}>
        {frame} {state.busy.label}… {formatDuration(elapsed)}
      </Text>
    );
  }
  if (state.error) {
    return (
      <Box flexDirection="column">
        {state.error.split('\n').map((line, i) => (
          <Text key={i} color={color('red')} bold={i === 0}>
            {i === 0 ? `✗ ${line.replace(/^error: /, 'error: ')}` : line}
          </Text>
        ))}
      </Box>
    );
  }
  if (state.notice) return <Text color={color('green')}>• {state.notice}</Text>;
  return null;
}

/** The keys that work now, always on screen. */
export function HelpLine({ text }: { text: string }) {
  const { Text } = ink();
  return <Text dimColor>keys: {text}</Text>;
}
