import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { PlanDetail, Progress, Task } from '../../api/client';
import { progressQuery } from '../../api/queries';
import { usePlanContext } from '../../app/plan-context';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';
import type { StreamEvent } from '../../live/plan-stream';
import { ApprovalCard, waitingTask } from './ApprovalCard';
import { CompletedCard } from './CompletedCard';
import { ExecuteForm } from './ExecuteForm';
import { executionLogQuery } from './execution-api';
import { FailedTaskCard } from './FailedTaskCard';
import { PauseCard } from './PauseCard';
import { SchedulesPanel } from './SchedulesPanel';
import { mergeEvents, sessionLog, type SessionLog } from './session-log';
import { TaskDetail } from './TaskDetail';
import { TurnOutput } from './TurnOutput';
import { UsagePanel } from './UsagePanel';
import './execution.css';

/**
 * `/plans/:id/run`: the plan's execution, live. Progress comes from GET /progress (refreshed by the
 * plan's event stream, no polling); turns, QA results and errors from the recorded events plus the
 * live ones; the agent's output streams from the turn's output route.
 */
export function ExecutionPage() {
  const { plan, stream } = usePlanContext();
  return <ExecutionView plan={plan} events={stream.events} />;
}

export function ExecutionView({ plan, events }: { plan: PlanDetail; events: StreamEvent[] }) {
  const progress = useQuery(progressQuery(plan.id));
  const sessionId = progress.data?.sessionId ?? null;
  const recorded = useQuery({
    ...executionLogQuery(plan.id, sessionId),
    enabled: progress.isSuccess,
    placeholderData: keepPreviousData,
  });
  const log = useMemo(
    () => sessionLog(mergeEvents(recorded.data, events), sessionId),
    [recorded.data, events, sessionId],
  );
  const tasksById = useMemo(() => {
    const m = new Map<string, Task>();
    for (const c of plan.chunks) for (const t of c.tasks) m.set(t.id, t);
    return m;
  }, [plan.chunks]);
  const canExecute = plan.status === 'ready' || plan.status === 'failed' || plan.status === 'cancelled';
  return (
    <section className="execution" aria-labelledby="execution-heading">
      <h2 id="execution-heading">Execution</h2>
      {canExecute ? <ExecuteForm plan={plan} /> : null}
      {plan.status === 'draft' ? (
        <p className="muted">This plan is a draft: finalize it (Planning tab) before executing it.</p>
      ) : null}
      {progress.isPending ? <Busy label="Loading the progress…" /> : null}
      {progress.isError ? (
        <ErrorMessage
          error={progress.error}
          title="Could not load the progress"
          onRetry={() => void progress.refetch()}
        />
      ) : null}
      {recorded.isError ? (
        <ErrorMessage error={recorded.error} title="Could not load the session’s events" />
      ) : null}
      {progress.data ? (
        <ProgressView plan={plan} progress={progress.data} log={log} tasksById={tasksById} />
      ) : null}
      {plan.status !== 'draft' ? (
        <UsagePanel
          planId={plan.id}
          openAtStart={progress.data?.status === 'paused' && progress.data.pauseReason === 'budget_exceeded'}
        />
      ) : null}
      {plan.status !== 'draft' ? <SchedulesPanel plan={plan} events={events} /> : null}
    </section>
  );
}

function ProgressView({
  plan,
  progress,
  log,
  tasksById,
}: {
  plan: PlanDetail;
  progress: Progress;
  log: SessionLog;
  tasksById: Map<string, Task>;
}) {
  const maxAttempts =
    log.maxAttempts ?? (typeof plan.execution?.maxAttempts === 'number' ? plan.execution.maxAttempts : null);
  const paused = progress.status === 'paused';
  const failed = progress.tasks.filter((t) => t.status === 'failed');
  const waiting = paused && progress.pauseReason === 'approval' ? waitingTask(progress) : undefined;
  const waitingChunk = waiting ? progress.chunks.find((c) => c.key === waiting.chunk) : undefined;
  const showPause = paused && progress.pauseReason !== 'task_failed' && progress.pauseReason !== 'approval';
  const errorOf = (id: string, fallback: string | null) => fallback ?? log.lastError.get(id) ?? null;
  return (
    <>
      <p className="execution-summary" aria-live="polite">
        <StatusBadge status={progress.status} /> {progress.totals.completed} of {progress.totals.tasks} tasks
        completed
        {progress.totals.skipped ? `, ${progress.totals.skipped} skipped` : ''}
        {progress.totals.failed ? `, ${progress.totals.failed} failed` : ''}
        {progress.totals.running ? `, ${progress.totals.running} running` : ''}
        {progress.branch ? (
          <>
            {' '}
            · branch <code>{progress.branch}</code>
          </>
        ) : null}
      </p>
      {progress.repositories && progress.repositories.length > 1 ? (
        <ul className="repository-progress" aria-label="Progress per repository">
          {progress.repositories.map((r) => (
            <li key={r.repository ?? ''}>
              <code>{r.repository ?? 'plan repository'}</code>: {r.completed} of {r.tasks} tasks completed
              {r.failed ? `, ${r.failed} failed` : ''} · {r.commits.length}{' '}
              {r.commits.length === 1 ? 'commit' : 'commits'}
            </li>
          ))}
        </ul>
      ) : null}
      {progress.note ? <p className="muted">{progress.note}</p> : null}
      {plan.status === 'failed' && (log.failedReason ?? progress.pauseDetail) ? (
        <div className="card" role="alert">
          <strong>The session failed:</strong> {log.failedReason ?? progress.pauseDetail}
        </div>
      ) : null}
      {progress.status === 'stopped' ? (
        <p className="card">Stopped at a checkpoint. Resume continues where it stopped (a new session).</p>
      ) : null}
      {failed.map((t) => (
        <FailedTaskCard key={t.id} planId={plan.id} task={t} planTask={tasksById.get(t.id)}>
          <TaskDetail
            planId={plan.id}
            task={t}
            planTask={tasksById.get(t.id)}
            turn={log.lastTurnOfTask.get(t.id)}
            qaTurn={log.lastQaTurnOfTask.get(t.id)}
            maxAttempts={maxAttempts}
            lastError={errorOf(t.id, t.lastError)}
          />
        </FailedTaskCard>
      ))}
      {waiting ? (
        <ApprovalCard
          planId={plan.id}
          chunkTitle={waitingChunk?.title ?? waiting.chunk}
          waiting={waiting}
          pending={[
            waiting,
            ...progress.tasks.filter(
              (t) => t.chunk === waiting.chunk && t.status === 'pending' && t.id !== waiting.id,
            ),
          ]}
          planTask={tasksById.get(waiting.id)}
        />
      ) : null}
      {showPause ? <PauseCard planId={plan.id} progress={progress} /> : null}
      {plan.status === 'completed' ? <CompletedCard progress={progress} log={log} /> : null}
      <div className="chunks">
        {progress.chunks.map((chunk) => {
          const tasks = progress.tasks.filter((t) => t.chunk === chunk.key);
          const chunkTurn = log.lastChunkTurn.get(chunk.key);
          const done = chunk.completed + chunk.skipped;
          return (
            <section key={chunk.key} className="card chunk" aria-labelledby={`chunk-${chunk.key}`}>
              <div className="chunk-head">
                <h3 id={`chunk-${chunk.key}`}>{chunk.title}</h3>
                <StatusBadge status={chunk.status} />
                {chunk.executionMode !== 'sequential' ? (
                  <span className="muted">{chunk.executionMode}</span>
                ) : null}
              </div>
              <ProgressBar value={chunk.total ? done / chunk.total : 0} label={`${chunk.title} progress`} />
              <p className="muted">
                {done} of {chunk.total} done{chunk.failed ? `, ${chunk.failed} failed` : ''}
              </p>
              <ol className="task-rows">
                {tasks.map((t) => (
                  <li key={t.id} className={`task-row task-${t.status}`}>
                    <div className="task-row-head">
                      <span className="task-title">{t.title}</span> <StatusBadge status={t.status} />
                      {t.attempts > 1 && t.status !== 'running' ? (
                        <span className="muted">{t.attempts} attempts</span>
                      ) : null}
                      {t.repository ? (
                        <span className="muted">
                          in <code>{t.repository}</code>
                        </span>
                      ) : null}
                      {t.commitSha ? <code className="muted">{t.commitSha.slice(0, 8)}</code> : null}
                    </div>
                    {t.status === 'running' ? (
                      <TaskDetail
                        planId={plan.id}
                        task={t}
                        planTask={tasksById.get(t.id)}
                        turn={log.lastTurnOfTask.get(t.id)}
                        qaTurn={log.lastQaTurnOfTask.get(t.id)}
                        maxAttempts={maxAttempts}
                        lastError={errorOf(t.id, t.lastError)}
                      />
                    ) : null}
                  </li>
                ))}
              </ol>
              {chunkTurn && (chunk.status === 'running' || !chunkTurn.ended) ? (
                <div className="chunk-turn">
                  <p>
                    Chunk turn, attempt {chunkTurn.attempt}
                    {chunkTurn.ended ? ' (ended)' : ''}
                  </p>
                  <TurnOutput key={chunkTurn.turnId} planId={plan.id} turnId={chunkTurn.turnId} />
                </div>
              ) : null}
            </section>
          );
        })}
      </div>
    </>
  );
}
