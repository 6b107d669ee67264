import { useSyncExternalStore } from 'react';
import { ink } from '../ink-runtime';
import { handleKey, helpLine, type Effect } from '../keys';
import type { TuiState } from '../state';
import type { Store } from '../store';
import { ChunkBrowser } from './ChunkBrowser';
import { Dialog } from './Dialogs';
import { Home } from './Home';
import { ReviewModal } from './ReviewModal';
import { HelpLine, StatusBar } from './StatusBar';

const MODE_NAMES: Record<TuiState['mode'], string> = {
  normal: 'plans',
  planning_active: 'planning',
  plan_review_ready: 'plan review',
  execution_active: 'execution',
  execution_resumable: 'execution (resumable)',
};

/** The whole screen for a state: title, the mode's view, a dialog over it, status, help. */
export function Screen({ state }: { state: TuiState }) {
  const { Box, Text } = ink();
  const view =
    state.mode === 'normal' ? (
      <Home state={state} />
    ) : state.mode === 'execution_active' || state.mode === 'execution_resumable' ? (
      <ChunkBrowser state={state} />
    ) : state.plan ? (
      <ReviewModal state={state} />
    ) : null;
  return (
    <Box flexDirection="column">
      <Text bold>Chunkwise · {MODE_NAMES[state.mode]}</Text>
      {state.overlay.kind === 'none' ? view : <Dialog state={state} />}
      <StatusBar state={state} />
      <HelpLine text={helpLine(state)} />
    </Box>
  );
}

/** The interactive app: keys go through handleKey; actions to the store, effects to `onEffect`. */
export function App({ store, onEffect }: { store: Store; onEffect: (effect: Effect) => void }) {
  const state = useSyncExternalStore(store.subscribe, store.get);
  ink().useInput((input, key) => {
    const result = handleKey(store.get(), input, key);
    if (result?.action) store.dispatch(result.action);
    if (result?.effect) onEffect(result.effect);
  });
  return <Screen state={state} />;
}
