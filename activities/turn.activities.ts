import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { agentStatePath, turnOutputPath, type RunTurnInput, type RunTurnResult } from '@chunkwise/contracts';
import {
  buildPrompt,
  chunkTaskIds,
  createAgentRunner,
  killLeftoverAgents,
  noteRunningTurn,
  openTurnLog,
  outputTail,
  readMarkedDone,
  turnFailure,
  turnFiles,
  writeTurnPlanFiles,
} from '@chunkwise/agents';
import { clearStaleGitLocks, resetWorktree } from '@chunkwise/git';
import { heartbeatMsOf, type SessionActivityDeps } from './deps';
import { isRetry, startHeartbeat } from './heartbeat';

/** One agent turn: a fresh agent session over one task (or a whole chunk) in the work tree. */
export function createTurnActivities(deps: SessionActivityDeps) {
  const heartbeatMs = heartbeatMsOf(deps);
  return {
    async runTurn(input: RunTurnInput): Promise<RunTurnResult> {
      if (isRetry()) {
        // The previous attempt's agent may still be running (its worker died): stop it first.
        const killed = await killLeftoverAgents(turnFiles(input.worktree).planFile);
        if (killed > 0) log.warn('killed leftover agent processes of an earlier attempt', { killed });
        await clearStaleGitLocks(input.worktree);
      }
      // Every turn starts from the last commit: a retried or resumed turn never sees half-done work.
      await resetWorktree(input.worktree);
      const files = await writeTurnPlanFiles(input.worktree, input.state, input.chunk);
      const taskIds = chunkTaskIds(input.state, input.chunk);
      const prompt = buildPrompt({
        planTitle: input.state.planTitle,
        chunk: input.chunk,
        task: input.task,
        chunkTaskIds: taskIds,
        planFile: files.planFile,
        fullPlanFile: files.fullPlanFile,
        attempt: input.attempt,
        previousError: input.previousError,
      });

      const out = await openTurnLog(turnOutputPath(deps.dataDir, input.planId, input.turnId));
      const stop = startHeartbeat(heartbeatMs, () => ({ turnId: input.turnId, outputBytes: out.bytes }));
      // If this worker dies, the next worker on this host fails the turn at its start (a quick retry).
      const info = Context.current().info;
      const unnote = await noteRunningTurn(deps.dataDir, {
        turnId: input.turnId,
        attempt: info.attempt,
        taskToken: Buffer.from(info.taskToken).toString('base64'),
      }).catch((err: unknown) => {
        log.warn('could not note the running turn', { error: String(err) });
        return async () => undefined;
      });
      try {
        const r = await createAgentRunner(input.agent).run(
          {
            cwd: input.worktree,
            prompt,
            taskId: input.task?.id ?? null,
            chunk: input.chunk.key,
            attempt: input.attempt,
            planFile: files.planFile,
            fullPlanFile: files.fullPlanFile,
            promptFile: files.promptFile,
            timeoutSec: input.agent.timeoutSec,
            stateDir: agentStatePath(deps.dataDir, input.planId, input.turnId),
          },
          { signal: Context.current().cancellationSignal, onOutput: (chunk) => out.write(chunk) },
        );
        if (Context.current().cancellationSignal.aborted)
          throw ApplicationFailure.create({ message: 'turn cancelled', nonRetryable: true });
        const error = turnFailure(r, input.agent.timeoutSec);
        return {
          exitCode: r.exitCode,
          timedOut: r.timedOut,
          durationMs: r.durationMs,
          succeeded: error === null,
          error,
          // Only a turn over the whole chunk marks tasks done in plan.json.
          markedDone: input.task ? [] : await readMarkedDone(files.planFile, taskIds),
          usage: r.usage ?? null,
          agentSessionId: r.agentSessionId ?? null,
          outputTail: outputTail(r.output),
        };
      } finally {
        stop();
        await unnote().catch(() => undefined);
        await out.close();
      }
    },
  };
}
