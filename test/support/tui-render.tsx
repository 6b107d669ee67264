/** Rendering the terminal UI's App with ink-testing-library, keys written one by one (vitest component tests). */
import { render } from 'ink-testing-library';
import type { Effect } from '../../apps/cli/src/tui/keys';
import type { TuiState } from '../../apps/cli/src/tui/state';
import { createStore } from '../../apps/cli/src/tui/store';
import { App } from '../../apps/cli/src/tui/components/App';

export const KEYS = { up: '\x1b[A', down: '\x1b[B', enter: '\r', tab: '\t', esc: '\x1b', backspace: '\x7f' };

/** Lets Ink handle what was written and render. */
export const settle = () => new Promise((r) => setTimeout(r, 30));

export function renderApp(state: TuiState) {
  const store = createStore(state);
  const effects: Effect[] = [];
  const ui = render(<App store={store} onEffect={(e) => effects.push(e)} />);
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      ui.stdin.write(k);
      await settle();
    }
  };
  return { ui, store, effects, press };
}
