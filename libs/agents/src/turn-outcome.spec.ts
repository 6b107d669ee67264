import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TurnResult } from './port';
import { openTurnLog } from './turn-log';
import { outputTail, turnFailure } from './turn-outcome';

const result = (r: Partial<TurnResult>): TurnResult => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  startError: null,
  output: 'done',
  outputBytes: 4,
  durationMs: 10,
  ...r,
});

describe('turn outcome', () => {
  it('is null for a turn that succeeded, and names the reason otherwise, quoting the end of the output', () => {
    expect(turnFailure(result({}), 60)).toBeNull();
    expect(turnFailure(result({ exitCode: null, startError: 'spawn claude ENOENT' }), 60)).toBe(
      'the agent could not start: spawn claude ENOENT',
    );
    expect(turnFailure(result({ agentError: 'max turns reached', output: 'log' }), 60)).toBe(
      'max turns reached\nlog',
    );
    expect(turnFailure(result({ exitCode: null, timedOut: true, output: 'slow' }), 90)).toBe(
      'the agent timed out after 90 s\nslow',
    );
    expect(turnFailure(result({ exitCode: 2, output: 'x'.repeat(5000) + 'end' }), 60)).toBe(
      `the agent exited with 2\n${'x'.repeat(1997)}end`,
    );
    expect(turnFailure(result({ exitCode: null, signal: 'SIGKILL', output: '' }), 60)).toBe(
      'the agent exited with SIGKILL\n',
    );
  });

  it('keeps the last characters of long output', () => {
    expect(outputTail('abcdef', 3)).toBe('def');
    expect(outputTail('abc', 3)).toBe('abc');
    expect(outputTail('y'.repeat(5000))).toHaveLength(4000);
  });
});

describe('turn log', () => {
  it("streams a turn's output to its file in order, creating the directory, and counts the bytes", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-turn-log-'));
    try {
      const file = path.join(dir, 'turns', 'p1', 's1-1.log');
      const log = await openTurnLog(file);
      for (let i = 0; i < 200; i++) log.write(`line ${i}\n`);
      expect(log.bytes).toBe(Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('').length);
      await log.close();
      const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
      expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i}`));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
