import { Command } from 'commander';
import { ApiError } from '../api-client';
import { contextOf, type Context, type Deps } from '../context';
import { EXIT_ERROR, ExitCode } from '../errors';
import { printJson } from '../output';

/** The answer of `POST /api/plans/:id/rollback` (docs/rollback.md). */
interface RollbackAnswer {
  rollbackId: string;
  sessionId: string;
  taskId: string | null;
  status: 'completed' | 'failed' | 'running';
  outcome: {
    ok: boolean;
    reason?: string;
    conflict?: { repository: string | null; branch: string; commit: string; files: string[] } | null;
    results: Array<{
      repository: string | null;
      branch: string;
      method: 'reset' | 'revert';
      reverted: string[];
      newHead: string;
      pushed: boolean;
    }>;
    tasks: string[];
  } | null;
}

const short = (sha: string) => sha.slice(0, 12);

function print(ctx: Context, planId: string, a: RollbackAnswer): void {
  const what = a.taskId ? `task ${a.taskId} of session ${a.sessionId}` : `session ${a.sessionId}`;
  if (a.status === 'running') {
    ctx.io.out(`rollback ${a.rollbackId} of ${what} is still running; see: chunkwise plans show ${planId}`);
    return;
  }
  const o = a.outcome!;
  for (const r of o.results)
    ctx.io.out(
      `${r.branch}: ${r.method === 'reset' ? `reset to ${short(r.newHead)}` : `reverted`} ` +
        `(${r.reverted.map(short).join(', ')})${r.pushed ? ', pushed' : ''}`,
    );
  if (o.ok) {
    ctx.io.out(`rolled back ${what}; pending again: ${o.tasks.join(', ') || 'none'}`);
    ctx.io.out(`  run them again with: chunkwise execute ${planId}`);
    return;
  }
  if (o.conflict)
    ctx.io.err(
      `conflict: reverting ${short(o.conflict.commit)} on ${o.conflict.branch} conflicts with later changes in ` +
        `${o.conflict.files.join(', ') || '(unknown files)'}; nothing was changed`,
    );
  else ctx.io.err(`rollback failed: ${o.reason ?? 'unknown reason'}`);
}

/** `chunkwise rollback <plan> [--session S] [--task T]`: exit 1 on a conflict or a failure. */
export function rollbackCommand(deps: Deps): Command {
  return new Command('rollback')
    .description(
      "undo a session's commits on its branch (the latest session unless --session), or one task's commit (--task); " +
        'the tasks go back to pending. A conflict is reported and changes nothing (exit 1)',
    )
    .argument('<plan>', 'plan id')
    .option('--session <id>', 'the session to roll back (default: the latest)')
    .option('--task <id>', "undo only this task's commit")
    .action(async (planId: string, opts: { session?: string; task?: string }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const json: Record<string, string> = {};
      if (opts.session) json.sessionId = opts.session;
      if (opts.task) json.taskId = opts.task;
      let answer: RollbackAnswer;
      try {
        answer = await ctx
          .client()
          .request<RollbackAnswer>('POST', `/plans/${encodeURIComponent(planId)}/rollback`, {
            body: { json },
          });
      } catch (err) {
        const failed =
          err instanceof ApiError ? (err.body as { rollback?: RollbackAnswer } | undefined) : undefined;
        if (!failed?.rollback) throw err;
        answer = failed.rollback;
      }
      if (ctx.json) printJson(ctx.io, answer);
      else print(ctx, planId, answer);
      if (answer.status === 'failed') throw new ExitCode(EXIT_ERROR);
    });
}
