import { memoryIo } from '../../../../test/support/cli-fakes';
import { run } from '../program';

describe('chunkwise tui', () => {
  it('is listed with its keys and options in --help', async () => {
    const io = memoryIo();
    expect(await run(['node', 'chunkwise', 'tui', '--help'], { io, env: {} })).toBe(0);
    expect(io.stdout()).toContain('Usage: chunkwise tui [options] [plan]');
    expect(io.stdout()).toContain('NO_COLOR=1 turns colours off');
  });

  it('needs a terminal: off one it says what to use instead (exit 2)', async () => {
    const io = memoryIo();
    const stdin = process.stdin.isTTY;
    process.stdin.isTTY = false;
    try {
      expect(await run(['node', 'chunkwise', 'tui'], { io, env: {} })).toBe(2);
    } finally {
      process.stdin.isTTY = stdin;
    }
    expect(io.stderr()).toContain(
      'error: chunkwise tui needs a terminal; use `chunkwise plan` or `chunkwise watch`',
    );
  });

  it('refuses a drafts count out of range', async () => {
    const io = memoryIo();
    expect(await run(['node', 'chunkwise', 'tui', '--drafts', '9'], { io, env: {} })).toBe(2);
    expect(io.stderr()).toContain('expected a number from 2 to 5.');
  });
});
