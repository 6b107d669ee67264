import type { PlanningApi } from '../plan-api';
import { App } from './components/App';
import { ColorContext } from './components/ui';
import { TuiController } from './controller';
import { loadInk } from './ink-runtime';
import { initialState } from './state';
import { createStore } from './store';

export interface TuiOptions {
  api: PlanningApi;
  planId?: string;
  repository?: string | null;
  agent?: string;
  drafts?: number;
  /** false under NO_COLOR: marks and bold carry the meaning. */
  color: boolean;
}

// The alternate screen: the UI takes the whole terminal and gives it back as it was on exit.
const ENTER_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_SCREEN = '\x1b[?1049l';

/** Runs the terminal UI until the user quits (q, Ctrl-C). */
export async function runTui(o: TuiOptions): Promise<void> {
  const { render } = await loadInk();
  const store = createStore(initialState);
  const tty = Boolean(process.stdout.isTTY);
  let unmount = () => {};
  const controller = new TuiController({
    api: o.api,
    dispatch: store.dispatch,
    getState: store.get,
    exit: () => unmount(),
    repository: o.repository,
    agent: o.agent,
    drafts: o.drafts,
  });
  if (tty) process.stdout.write(ENTER_SCREEN);
  try {
    const instance = render(
      <ColorContext.Provider value={o.color}>
        <App store={store} onEffect={(effect) => void controller.run(effect)} />
      </ColorContext.Provider>,
      { exitOnCtrlC: true },
    );
    unmount = () => instance.unmount();
    void controller.start(o.planId);
    await instance.waitUntilExit();
  } finally {
    controller.close();
    if (tty) process.stdout.write(LEAVE_SCREEN);
  }
}
