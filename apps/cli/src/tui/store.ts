import { reducer, type Action, type TuiState } from './state';

/**
 * The UI state outside React: dispatch folds an action at once, so the next key (tmux sends them
 * faster than React renders) is always handled against the latest state. React reads it with
 * useSyncExternalStore; the controller dispatches into it.
 */
export interface Store {
  get(): TuiState;
  dispatch(action: Action): void;
  subscribe(listener: () => void): () => void;
}

export function createStore(initial: TuiState): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    dispatch(action) {
      const next = reducer(state, action);
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
