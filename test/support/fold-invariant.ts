import { fold, sessionProgress, type SessionCore, type SessionState } from '@chunkwise/domain';

/**
 * The key invariant of the session decider: the plan's fold of the recorded events holds the same
 * session as the workflow's own state. Times differ by design (the workflow's clock against the
 * stored events' times) and the settings are not history, so both are left out; whether a task has
 * a start and an end time is kept.
 */
export function comparableSession(s: SessionCore): unknown {
  const {
    settings: _settings,
    // configuration the session carries, like its settings (not folded from events)
    budget: _budget,
    startedAt: _startedAt,
    elapsedBeforeMs: _elapsed,
    ...rest
  } = s as SessionState;
  const progress = sessionProgress(s, 0);
  return {
    ...rest,
    tasks: rest.tasks.map((t) => ({ ...t, startedAt: t.startedAt !== null, endedAt: t.endedAt !== null })),
    progress: {
      ...progress,
      elapsedMs: 0,
      tasks: progress.tasks.map((t) => ({ ...t, startedAt: 0, endedAt: 0 })),
    },
  };
}

/** The session state the plan's fold of `events` holds. */
export function foldedSession(events: Iterable<{ type: string; data: unknown }>): SessionCore {
  const run = fold(events).run;
  if (!run) throw new Error('the fold holds no session');
  return run;
}
