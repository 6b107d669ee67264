import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort } from '@chunkwise/temporal';
import { apiUrlsOf, startApiProcess } from './api-process';
import { CliError } from './errors';
import type { ChildHandle } from './stack-support';
import { makeTempDir } from '../../../test/support/temp-dir';

describe('apiUrlsOf', () => {
  it('reaches a wildcard host on loopback and brackets IPv6 hosts', () => {
    expect(apiUrlsOf('0.0.0.0', 8080)).toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      apiUrl: 'http://127.0.0.1:8080/api',
      docsUrl: 'http://127.0.0.1:8080/api/docs',
      dashboardUrl: 'http://127.0.0.1:8080/',
    });
    expect(apiUrlsOf('::1', 9000).apiUrl).toBe('http://[::1]:9000/api');
    expect(apiUrlsOf('localhost', 1).docsUrl).toBe('http://localhost:1/api/docs');
  });
});

describe('startApiProcess (a stand-in dist/apps/api/src/main.js as a real child process)', () => {
  const tmp = makeTempDir('chunkwise-api-process-');
  const children: ChildHandle[] = [];
  afterAll(async () => {
    for (const c of children) await c.stop(2_000);
    tmp.remove();
  });

  /** A project root whose built API is `source`. */
  const rootWith = (name: string, source: string) => {
    const root = join(tmp.path, name);
    mkdirSync(join(root, 'dist', 'apps', 'api', 'src'), { recursive: true });
    writeFileSync(join(root, 'dist', 'apps', 'api', 'src', 'main.js'), source);
    return root;
  };
  const start = async (root: string, port: number) =>
    startApiProcess({
      root,
      config: { host: '127.0.0.1', port },
      env: { ...process.env, CHUNKWISE_PORT: String(port) },
      logFile: join(root, 'api.log'),
      interrupted: () => false,
      onSpawn: (h) => children.push(h),
    });

  it('resolves once the health route answers (a 503 too), with the URLs', async () => {
    const root = rootWith(
      'ok',
      `require('node:http').createServer((req, res) => {
         res.statusCode = req.url === '/api/health' ? 503 : 404; res.end('{}');
       }).listen(Number(process.env.CHUNKWISE_PORT), '127.0.0.1');`,
    );
    const port = await getFreePort();
    const api = await start(root, port);
    expect(api.apiUrl).toBe(`http://127.0.0.1:${port}/api`);
    const answer = await fetch(`${api.baseUrl}/api/health`);
    expect(answer.status).toBe(503);
    await api.handle.stop(2_000);
    expect(await api.handle.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('says the port is taken when the API exits on EADDRINUSE', async () => {
    const root = rootWith(
      'taken',
      `console.error('Error: listen EADDRINUSE: address already in use'); process.exit(1);`,
    );
    const port = await getFreePort();
    await expect(start(root, port)).rejects.toThrow(
      new CliError(`port ${port} on 127.0.0.1 is already in use`),
    );
  });

  it('shows the last lines of its log when the API exits at start', async () => {
    const root = rootWith(
      'broken',
      `console.error('chunkwise api: CHUNKWISE_EVENT_STORE: invalid'); process.exit(1);`,
    );
    const err = (await start(root, await getFreePort()).catch((e: unknown) => e)) as CliError;
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(/^could not start the API: it exited \(code 1, signal null\)/);
    expect(err.details).toContain('chunkwise api: CHUNKWISE_EVENT_STORE: invalid');
  });

  it('refuses clearly when the API is not built', async () => {
    await expect(start(join(tmp.path, 'nothing'), 1)).rejects.toThrow(
      /the API is not built: .*main\.js is missing/,
    );
  });
});
