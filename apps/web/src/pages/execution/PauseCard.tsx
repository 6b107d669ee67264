import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Progress } from '../../api/client';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ChunkDiffView } from './ChunkDiffView';
import { ConfirmButton } from './ConfirmButton';
import { sessionApi } from './execution-api';
import { shortSha } from './session-log';

const REASON: Record<string, string> = {
  user: 'Paused on request.',
  chunk_completed: 'Paused after a chunk, as planned.',
  chunk_failed: 'Paused: a chunk could not make progress.',
  budget_exceeded:
    'Paused: the next turn would cross the budget. Raise it (Usage panel below), then continue.',
  host_lost:
    'Paused: the worker host that held the work tree is gone and the repository has no remote to rebuild it from. Bring the host back or add a remote, then continue.',
};

/** The chunk a pause is about: the chunk just completed (pause after a chunk), else the current one. */
export function pausedChunk(progress: Progress): Progress['chunks'][number] | undefined {
  const { chunks } = progress;
  if (progress.pauseReason === 'chunk_completed') {
    const nextAt = chunks.findIndex((c) => c.key === progress.nextChunk);
    const before = nextAt >= 0 ? chunks.slice(0, nextAt) : chunks;
    const done = [...before].reverse().find((c) => c.status === 'completed');
    if (done) return done;
  }
  return (
    chunks.find((c) => c.key === progress.currentChunk) ??
    [...chunks].reverse().find((c) => c.completed > 0) ??
    chunks.find((c) => c.key === progress.nextChunk)
  );
}

/** A paused session: what was done (tasks, commits, files, the diff), what comes next, Continue / Stop. */
export function PauseCard({ planId, progress }: { planId: string; progress: Progress }) {
  const queryClient = useQueryClient();
  const action = useMutation({
    mutationFn: async (a: 'resume' | 'stop'): Promise<unknown> => sessionApi[a](planId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) }),
  });
  const chunk = pausedChunk(progress);
  const done = progress.tasks.filter((t) => t.chunk === chunk?.key && t.status === 'completed');
  const skipped = progress.tasks.filter((t) => t.chunk === chunk?.key && t.status === 'skipped');
  const next = progress.chunks.find((c) => c.key === progress.nextChunk);
  const nextTasks = progress.tasks.filter((t) => t.chunk === next?.key && t.status === 'pending');
  const busy = action.isPending;
  return (
    <section className="card pause-card" aria-labelledby="pause-heading">
      <h3 id="pause-heading">Paused</h3>
      <p>
        {REASON[progress.pauseReason ?? ''] ?? 'The session is paused.'}
        {progress.pauseDetail && progress.pauseReason !== 'chunk_completed' ? ` ${progress.pauseDetail}` : ''}
      </p>
      {chunk ? (
        <>
          <h4>Done in {chunk.title}</h4>
          {done.length === 0 && skipped.length === 0 ? (
            <p className="muted">No task finished in this chunk yet.</p>
          ) : (
            <ul aria-label={`Done in ${chunk.title}`}>
              {done.map((t) => (
                <li key={t.id}>
                  {t.title}
                  {t.commitSha ? (
                    <>
                      {' '}
                      <code>{shortSha(t.commitSha)}</code>
                    </>
                  ) : null}
                </li>
              ))}
              {skipped.map((t) => (
                <li key={t.id}>
                  {t.title} <span className="muted">(skipped)</span>
                </li>
              ))}
            </ul>
          )}
          <ChunkDiffView planId={planId} chunkKey={chunk.key} chunkTitle={chunk.title} />
        </>
      ) : null}
      <h4>Next</h4>
      {next ? (
        <p>
          {next.title}: {nextTasks.length} task{nextTasks.length === 1 ? '' : 's'} to run
          {next.executionMode === 'manual' ? ' (each waits for your approval)' : ''}.
        </p>
      ) : (
        <p>Nothing left: continuing completes the plan.</p>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => action.mutate('resume')}>
          Continue
        </button>
        <ConfirmButton
          label="Stop"
          question="Stop this session?"
          detail="The session stops at this checkpoint. You can resume it later."
          confirmLabel="Yes, stop"
          disabled={busy}
          onConfirm={() => action.mutate('stop')}
        />
      </div>
      {busy ? <Busy label={action.variables === 'stop' ? 'Stopping…' : 'Continuing…'} /> : null}
      {action.isError ? <ErrorMessage error={action.error} title="Could not do that" /> : null}
    </section>
  );
}
