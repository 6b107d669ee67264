import { waitFor } from './plan-progress';
import { memoryIo } from '../../../test/support/cli-fakes';

describe('waitFor (progress while the model works)', () => {
  it('off a terminal: a start line, heartbeats, and an end line on stderr; stdout untouched', async () => {
    const io = memoryIo();
    let t = 0;
    const result = await waitFor({ io, tty: false, heartbeatMs: 5, now: () => t }, 'quick edit', async () => {
      t = 2100;
      await new Promise((r) => setTimeout(r, 30));
      return 42;
    });
    expect(result).toBe(42);
    const lines = io.stderr().trimEnd().split('\n');
    expect(lines[0]).toBe('quick edit…');
    expect(lines.slice(1, -1).every((l) => l === '  … still waiting (2.1 s)')).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.at(-1)).toBe('quick edit: done (2.1 s)');
    expect(io.stdout()).toBe('');
  });

  it('on a terminal: a spinner redrawn in place, then a ✓ or ✗ line; the error is rethrown', async () => {
    const io = memoryIo();
    let raw = '';
    const o = { io, tty: true, rawErr: (s: string) => (raw += s), intervalMs: 5, now: () => 0 };
    await waitFor(o, 'reviewing', () => new Promise((r) => setTimeout(r, 30)));
    expect(raw.startsWith('\r\x1b[2K⠋ reviewing… 0 ms')).toBe(true);
    expect(raw).toContain('\r\x1b[2K⠙ reviewing… 0 ms');
    expect(raw.endsWith('\r\x1b[2K✓ reviewing (0 ms)\n')).toBe(true);

    raw = '';
    await expect(waitFor(o, 'generating', () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(raw.endsWith('\r\x1b[2K✗ generating (0 ms)\n')).toBe(true);
    expect(io.stderr()).toBe('');
  });
});
