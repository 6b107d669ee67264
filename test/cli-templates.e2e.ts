/**
 * End to end: the `chunkwise` command tree (in process, as program.spec does) against the REAL API
 * from createApp on temporary SQLite files: `templates list | show | versions | save` and
 * `plans new --template NAME --param key=value`, with the errors a user meets (a missing parameter,
 * a malformed --param, an unknown template).
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@chunkwise/config';
import { run } from '../apps/cli/src/program';
import { createApp } from '../apps/api/src/app.factory';
import { memoryIo } from './support/cli-fakes';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(60_000);

describe('chunkwise templates and plans new --template (real API)', () => {
  const dir = makeTempDir('chunkwise-cli-templates-');
  let app: INestApplication;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const config = loadConfig({
      CHUNKWISE_DATA_DIR: dir.path,
      CHUNKWISE_LOG_LEVEL: 'error',
      // Nothing listens there: no route used here needs Temporal.
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    app = await createApp(config, { logger: ['error'], temporalConnectTimeoutMs: 500 });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    env = { CHUNKWISE_API_URL: `http://127.0.0.1:${port}` };
  });

  afterAll(async () => {
    await app?.close();
    dir.remove();
  });

  const cli = async (...args: string[]) => {
    const io = memoryIo();
    const code = await run(['node', 'chunkwise', ...args], { io, env });
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  test('templates list and show describe the built-ins and their parameters', async () => {
    const list = await cli('templates', 'list');
    expect(list.code).toBe(0);
    for (const name of [
      'add-crud-resource',
      'add-authentication',
      'add-api-endpoint',
      'upgrade-dependency',
      'fix-bug',
    ])
      expect(list.stdout).toContain(name);
    expect(list.stdout).toMatch(/fix-bug\s+built-in\s+bug, reproduction, area/);

    const show = await cli('templates', 'show', 'fix-bug');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('bug (required) — what goes wrong');
    expect(show.stdout).toContain('[default: as described in the report]');
    expect(show.stdout).toContain('chunkwise plans new --template fix-bug --param bug=…');

    const json = JSON.parse((await cli('--json', 'templates', 'list')).stdout);
    expect(json.templates).toHaveLength(5);

    const unknown = await cli('templates', 'show', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/template nope not found/);
  });

  test('plans new --template renders the parameters into a draft plan; errors name the parameter', async () => {
    const created = await cli(
      'plans',
      'new',
      '--template',
      'add-api-endpoint',
      '--param',
      'method=POST',
      '--param',
      'path=/api/invoices/:id/send',
      '-p',
      'purpose=emails the invoice = a PDF',
    );
    expect(created.code).toBe(0);
    const id = /created plan (p_\w+) \(revision 1\) from template add-api-endpoint version 0/.exec(
      created.stdout,
    )?.[1];
    expect(id).toBeDefined();
    const shown = JSON.parse((await cli('--json', 'plans', 'show', id!)).stdout);
    expect(shown.title).toBe('Add POST /api/invoices/:id/send');
    expect(shown.description).toBe('POST /api/invoices/:id/send emails the invoice = a PDF.');
    expect((await cli('plans', 'validate', id!)).code).toBe(0);

    const missing = await cli('plans', 'new', '--template', 'add-api-endpoint', '--param', 'method=GET');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot render template add-api-endpoint/);
    expect(missing.stderr).toMatch(/missing parameter path/);
    expect(missing.stderr).toMatch(/missing parameter purpose/);

    const malformed = await cli('plans', 'new', '--template', 'fix-bug', '--param', 'no-equals-sign');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/expected key=value/);
    expect((await cli('plans', 'new', '--param', 'bug=x')).code).toBe(2);
  });

  test('templates save marks literals of a plan as parameters; versions lists every save', async () => {
    const plan = await cli('plans', 'new', '-t', 'fix-bug', '-p', 'bug=refund totals are off by one cent');
    const id = /created plan (p_\w+)/.exec(plan.stdout)![1];

    const saved = await cli('templates', 'save', id, '--name', 'refund-fix', '--param', 'what=refund totals');
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`saved template refund-fix version 1 from plan ${id}`);
    expect(saved.stdout).toContain('what (required) [e.g. refund totals]');

    const saveOver = (title: string) =>
      cli(
        'templates',
        'save',
        id,
        '-n',
        'refund-fix',
        '--title',
        title,
        '-p',
        'what=refund totals',
        '--expected-version',
        '1',
      );
    expect((await saveOver('Refund fixes')).stdout).toContain('version 2');
    const stale = await saveOver('Lost');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/template refund-fix is at version 2, not 1/);

    const versions = await cli('templates', 'versions', 'refund-fix');
    expect(versions.stdout).toMatch(/1\s+plan/);
    expect(versions.stdout).toMatch(/2\s+plan.*Refund fixes/);

    const fromSaved = await cli('plans', 'new', '-t', 'refund-fix', '-p', 'what=invoice rounding');
    const newId = /created plan (p_\w+)/.exec(fromSaved.stdout)![1];
    const shown = JSON.parse((await cli('--json', 'plans', 'show', newId)).stdout);
    expect(shown.title).toBe('Fix: invoice rounding are off by one cent');
  });
});
