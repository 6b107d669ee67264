import { run } from './program';
import { fakeApi, memoryIo } from '../../../test/support/cli-fakes';

const exec = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const io = memoryIo();
  const code = await run(['node', 'chunkwise', ...args], { io, env });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('chunkwise (exit codes and messages)', () => {
  it('prints help and the version with exit 0', async () => {
    const help = await exec(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: chunkwise');
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 error');
    expect((await exec(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await exec(['plans', 'show', '--help'])).code).toBe(0);
  });

  it.each([
    [['plans', 'list', '--bogus'], /unknown option '--bogus'/],
    [['plans', 'show'], /missing required argument 'id'/],
    [['plans', 'create'], /required option '-f, --file <file>' not specified/],
    [['plans', 'list', '--status', 'weird'], /Allowed choices are draft, ready/],
    [['plans', 'show', 'p1', '--revision', 'x'], /expected a whole number/],
    [['plans', 'show', 'p1', 'p2'], /too many arguments/],
    [['plans', 'validate'], /give a plan id or --file/],
    [['plans', 'validate', 'p1', '--file', 'x.yaml'], /either a plan id or --file, not both/],
    [['nonsense'], /unknown command 'nonsense'/],
    [['plans'], /Usage: chunkwise plans/],
    [['--api', 'not a url', 'plans', 'list'], /invalid API URL "not a url"/],
    [['up', '--port', '70000'], /expected a port between 1 and 65535/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await exec(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 1 with the hint when the API cannot be reached', async () => {
    const api = await fakeApi(() => ({ status: 200 }));
    await api.close();
    const r = await exec(['plans', 'list'], { CHUNKWISE_API_URL: api.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: cannot reach the API at ${api.url} — is \`chunkwise up\` running? (ECONNREFUSED)\n`,
    );
  });

  it('--api wins over CHUNKWISE_API_URL; the token is sent', async () => {
    const api = await fakeApi(() => ({ status: 200, body: { plans: [] } }));
    try {
      const r = await exec(['--api', api.url, 'plans', 'list', '--json'], {
        CHUNKWISE_API_URL: 'http://127.0.0.1:1',
        CHUNKWISE_API_TOKEN: 'a-long-token',
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ plans: [] });
      expect(api.requests[0].headers.authorization).toBe('Bearer a-long-token');
      expect((await exec(['plans', 'list', '--api', api.url])).stdout).toMatch(/No plans yet/);
    } finally {
      await api.close();
    }
  });

  it('validate lists every issue and exits 1 when invalid; 0 when valid', async () => {
    let valid = false;
    const api = await fakeApi(() => ({
      status: 200,
      body: valid
        ? { valid: true, issues: [] }
        : {
            valid: false,
            issues: [
              { code: 'unknown_dependency', message: 'task B: depends on unknown task Z', taskId: 'B' },
              { code: 'empty_chunk', message: 'chunk C2 has no tasks', chunkKey: 'C2' },
            ],
          },
    }));
    try {
      const bad = await exec(['plans', 'validate', 'p1', '--api', api.url]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toBe(
        '✗ plan p1 is invalid (2 issues):\n' +
          '  - task B: depends on unknown task Z [unknown_dependency]\n' +
          '  - chunk C2 has no tasks [empty_chunk]\n',
      );
      valid = true;
      const good = await exec(['plans', 'validate', 'p1', '--api', api.url]);
      expect(good).toEqual({ code: 0, stdout: '✓ plan p1 is valid\n', stderr: '' });
    } finally {
      await api.close();
    }
  });

  it('server errors exit 1 with the server message', async () => {
    const api = await fakeApi(() => ({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'plan nope not found', code: 'plan_not_found' },
    }));
    try {
      const r = await exec(['plans', 'show', 'nope', '--api', api.url]);
      expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: plan nope not found\n' });
      expect(api.requests[0].url).toBe('/api/plans/nope');
    } finally {
      await api.close();
    }
  });

  it('replay explains a missing data dir', async () => {
    const r = await exec(['replay', '--data-dir', '/nonexistent/chunkwise-data']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no event store at /nonexistent/chunkwise-data/events.db: nothing to replay');
  });
});
