import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../live/plan-stream';
import { formatDuration, mergeEvents, sessionLog } from './session-log';

const at = (position: number, type: string, data: Record<string, unknown>): StreamEvent => ({
  type,
  position,
  streamRevision: position,
  recordedAt: '2026-12-01T10:00:00.000Z',
  data,
});

describe('session log', () => {
  it('merges recorded and live events once each, in order', () => {
    const a = at(1, 'A', {});
    const b = at(2, 'B', {});
    const c = at(3, 'C', {});
    expect(mergeEvents([a, b], [c, b]).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    expect(mergeEvents(undefined, [c]).map((e) => e.type)).toEqual(['C']);
  });

  it("reads one session's turns, QA results, errors and end, ignoring other sessions", () => {
    const events = [
      at(1, 'ExecutionStarted', { sessionId: 's_old', options: { maxAttempts: 9 } }),
      at(2, 'TurnStarted', { sessionId: 's_old', turnId: 's_old-1', chunk: 'C1', taskId: 'T1', attempt: 1 }),
      at(3, 'ExecutionStarted', { sessionId: 's_new', options: { maxAttempts: 2 } }),
      at(4, 'TurnStarted', { sessionId: 's_new', turnId: 's_new-1', chunk: 'C1', taskId: 'T1', attempt: 1 }),
      at(5, 'TurnCompleted', {
        sessionId: 's_new',
        turnId: 's_new-1',
        succeeded: false,
        exitCode: 3,
        error: 'x',
      }),
      at(6, 'QaGateResult', {
        sessionId: 's_new',
        turnId: 's_new-1',
        gate: 'lint',
        passed: false,
        outputTail: 'a',
      }),
      at(7, 'QaGateResult', {
        sessionId: 's_new',
        turnId: 's_new-1',
        gate: 'lint',
        passed: true,
        outputTail: 'b',
      }),
      at(8, 'TaskFailed', { sessionId: 's_new', taskId: 'T1', error: 'lint failed', final: false }),
      at(9, 'TurnStarted', { sessionId: 's_new', turnId: 's_new-2', chunk: 'C2', taskId: null, attempt: 1 }),
      at(10, 'ChunkTurnFailed', {
        sessionId: 's_new',
        chunk: 'C2',
        tasks: ['T3', 'T4'],
        error: 'no progress',
      }),
      at(11, 'ExecutionCompleted', { sessionId: 's_new', commits: ['c1'], durationMs: 3_700_000 }),
    ];
    const log = sessionLog(events, 's_new');
    expect(log.maxAttempts).toBe(2);
    expect(log.turns.map((t) => t.turnId)).toEqual(['s_new-1', 's_new-2']);
    const t1 = log.lastTurnOfTask.get('T1')!;
    expect(t1.ended).toMatchObject({ succeeded: false, exitCode: 3, error: 'x' });
    // A gate run again on the same turn replaces its verdict.
    expect(t1.qa).toEqual([expect.objectContaining({ gate: 'lint', passed: true, outputTail: 'b' })]);
    expect(log.lastQaTurnOfTask.get('T1')).toBe(t1);
    expect(log.lastChunkTurn.get('C2')?.turnId).toBe('s_new-2');
    expect(Object.fromEntries(log.lastError)).toEqual({
      T1: 'lint failed',
      T3: 'no progress',
      T4: 'no progress',
    });
    expect(log.completed).toEqual({ commits: ['c1'], durationMs: 3_700_000 });
    expect(sessionLog(events, null).turns).toEqual([]);
  });

  it('formats durations', () => {
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_700_000)).toBe('1 h 1 min');
    expect(formatDuration(null)).toBe('—');
  });
});
