import { ApiError } from './api-client';
import { CliError } from './errors';
import { errorCode } from './plan-api';

/**
 * Rewords the planning routes' errors for the person at the terminal: what happened, whether
 * anything was written, and what to do. Errors it does not know are returned as they are.
 */
export function explainPlanningError(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  switch (errorCode(err)) {
    case 'llm_unavailable':
      return new CliError(`Claude is not available: ${err.message}`, [
        'the API server makes the LLM calls: set ANTHROPIC_API_KEY in its environment (or ANTHROPIC_BASE_URL ' +
          'for a local Messages-API server) and restart it, e.g. `ANTHROPIC_API_KEY=… chunkwise up`',
      ]);
    case 'llm_invalid_output':
      return new CliError(
        "the model's output was invalid even after a repair turn; nothing was written — try again " +
          '(more specific feedback often helps)',
        err.details,
      );
    case 'stale_suggestions':
      return new CliError('these suggestions no longer apply: the plan changed since the review', [
        err.message,
        'review again to get suggestions for the current revision',
      ]);
    case 'stale_revision':
      return new CliError(
        'the plan changed while the model was working; nothing was written — look at the current revision and try again',
        err.details,
      );
    default:
      return err;
  }
}

/** Prints an error the way `chunkwise` does at exit, without exiting (the interactive loop goes on). */
export function errorLines(err: unknown): string[] {
  const e = explainPlanningError(err);
  if (e instanceof CliError) return [`error: ${e.message}`, ...e.details.map((d) => `  - ${d}`)];
  return [`error: ${e instanceof Error ? e.message : String(e)}`];
}
