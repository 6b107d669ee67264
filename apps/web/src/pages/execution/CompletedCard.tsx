import type { Progress } from '../../api/client';
import { RollbackControl } from './RollbackControl';
import { formatDuration, shortSha, type SessionLog } from './session-log';

/** A completed plan: chunks, tasks, duration and commits. */
export function CompletedCard({ progress, log }: { progress: Progress; log: SessionLog }) {
  const chunksDone = progress.chunks.filter((c) => c.status === 'completed').length;
  const { totals } = progress;
  const commits = log.completed?.commits.length ? log.completed.commits : progress.commits;
  const duration = log.completed?.durationMs ?? progress.elapsedMs;
  return (
    <section className="card completed-card" aria-labelledby="completed-heading">
      <h3 id="completed-heading">Completed</h3>
      <dl className="summary">
        <dt>Chunks</dt>
        <dd>
          {chunksDone} of {progress.chunks.length} completed
        </dd>
        <dt>Tasks</dt>
        <dd>
          {totals.completed} completed, {totals.skipped} skipped, {totals.failed} failed of {totals.tasks}
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(duration)}</dd>
        <dt>Commits</dt>
        <dd>{commits.length}</dd>
      </dl>
      {commits.length > 0 ? (
        <details>
          <summary>Commits ({commits.length})</summary>
          <ul aria-label="Commits">
            {commits.map((sha) => (
              <li key={sha}>
                <code>{shortSha(sha)}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {progress.branch ? (
        <p>
          Branch: <code>{progress.branch}</code>
        </p>
      ) : null}
      {commits.length > 0 ? <RollbackControl planId={progress.planId} /> : null}
    </section>
  );
}
