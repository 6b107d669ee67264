import { turnSucceeded, type TurnResult } from './port';

/** How much of an agent's or gate's output is kept in events and results. */
export const OUTPUT_TAIL_CHARS = 4000;
/** How much of the output an error message quotes. */
const ERROR_TAIL_CHARS = 2000;

export const outputTail = (s: string, n = OUTPUT_TAIL_CHARS) => (s.length > n ? s.slice(s.length - n) : s);

/**
 * Why a turn failed, for the task's last error and the next attempt's prompt; null when it
 * succeeded. Quotes the end of the agent's output, where the reason usually is.
 */
export function turnFailure(r: TurnResult, timeoutSec: number): string | null {
  if (turnSucceeded(r)) return null;
  const out = outputTail(r.output, ERROR_TAIL_CHARS);
  if (r.startError) return `the agent could not start: ${r.startError}`;
  if (r.agentError) return `${r.agentError}\n${out}`;
  if (r.timedOut) return `the agent timed out after ${timeoutSec} s\n${out}`;
  return `the agent exited with ${r.exitCode ?? r.signal}\n${out}`;
}
