import type { Progress, Task } from '../../api/client';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { formatDuration, type QaResult, type TurnInfo } from './session-log';
import { TurnOutput } from './TurnOutput';

export type ProgressTask = Progress['tasks'][number];

/** QA results of a turn, per gate, each with its output. */
export function QaResults({ results, label, note }: { results: QaResult[]; label: string; note?: string }) {
  if (results.length === 0) return null;
  return (
    <div className="qa-results">
      <h5>{note ? `QA results (${note})` : 'QA results'}</h5>
      <ul aria-label={label}>
        {results.map((q) => (
          <li key={q.gate} className="qa-result">
            <span className="qa-gate">{q.gate}</span>{' '}
            <StatusBadge status={q.passed ? 'completed' : 'failed'} label={q.passed ? 'passed' : 'failed'} />{' '}
            <span className="muted">
              {q.timedOut ? 'timed out' : `exit ${q.exitCode ?? '—'}`} · {formatDuration(q.durationMs)}
            </span>
            {q.outputTail ? (
              <details open={!q.passed}>
                <summary>Output of {q.gate}</summary>
                <pre className="qa-output" tabIndex={0}>
                  {q.outputTail}
                </pre>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A task of the session in detail: its description, "attempt n of m", the agent's output of its
 * latest turn (live while it runs), the QA results of that turn and the last error.
 */
export function TaskDetail({
  planId,
  task,
  planTask,
  turn,
  qaTurn,
  maxAttempts,
  lastError,
}: {
  planId: string;
  task: ProgressTask;
  planTask: Task | undefined;
  turn: TurnInfo | undefined;
  /** The latest turn with QA results: `turn`, or an earlier attempt while `turn` has none yet. */
  qaTurn?: TurnInfo | undefined;
  maxAttempts: number | null;
  lastError: string | null;
}) {
  const attempt = task.status === 'running' ? (turn?.attempt ?? Math.max(1, task.attempts)) : task.attempts;
  return (
    <div className="task-detail">
      {planTask?.description ? <p className="task-description">{planTask.description}</p> : null}
      {planTask && planTask.acceptance.length > 0 ? (
        <details>
          <summary>Acceptance criteria</summary>
          <ul>
            {planTask.acceptance.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {attempt > 0 ? (
        <p className="attempt">
          attempt {attempt} of {maxAttempts ?? '?'}
          {turn ? (
            <span className="muted">
              {' '}
              · started <TimeAgo iso={turn.startedAt} />
            </span>
          ) : null}
        </p>
      ) : null}
      {turn ? <TurnOutput key={turn.turnId} planId={planId} turnId={turn.turnId} /> : null}
      {qaTurn ? (
        <QaResults
          results={qaTurn.qa}
          label={`QA results of ${task.title}`}
          note={qaTurn !== turn ? `attempt ${qaTurn.attempt}` : undefined}
        />
      ) : null}
      {turn?.ended && !turn.ended.succeeded && turn.ended.error ? (
        <p className="muted">
          Turn {turn.ended.timedOut ? 'timed out' : `ended with exit code ${turn.ended.exitCode ?? '—'}`}
        </p>
      ) : null}
      {lastError ? (
        <div className="last-error">
          <h5>Last error</h5>
          <pre tabIndex={0}>{lastError}</pre>
        </div>
      ) : null}
    </div>
  );
}
