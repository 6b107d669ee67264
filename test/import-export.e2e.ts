/**
 * Import and export end to end: the real API (createApp on SQLite files in a temp dir) over HTTP,
 * JSON bodies and multipart uploads, every error status; then the real `chunkwise` command
 * (bin/chunkwise.js → dist/) as child processes against `chunkwise up --no-temporal`.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@chunkwise/config';
import { parsePlanDocument } from '@chunkwise/domain';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import {
  BIN,
  cleanEnv,
  cli,
  ensureBuilt,
  freePort,
  ROOT,
  startUp,
  stopUp,
  type Up,
} from './support/cli-process';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(240_000);

const FIXTURES = join(__dirname, 'fixtures', 'formats');
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const BODY_LIMIT = 256 * 1024;
const FORMATS = ['chunkwise', 'openspec', 'speckit', 'kiro', 'taskmaster', 'massgen'] as const;

interface ImportAnswer {
  id: string;
  revision: number;
  format: string;
  filename?: string;
  sha256: string;
  tag?: string;
  chunks: number;
  tasks: number;
  warnings: Array<{ code: string; message: string }>;
  stats: Record<string, unknown>;
}

describe('import / export over HTTP', () => {
  let app: NestExpressApplication;
  let http: ReturnType<NestExpressApplication['getHttpServer']>;
  let dir: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    dir = makeTempDir('chunkwise-import-e2e-');
    const config = loadConfig({
      CHUNKWISE_DATA_DIR: dir.path,
      CHUNKWISE_BODY_LIMIT: String(BODY_LIMIT),
      CHUNKWISE_LOG_LEVEL: 'error',
    });
    app = await createApp(config, { logger: ['error'] });
    http = app.getHttpServer();
  });

  afterAll(async () => {
    await app?.close();
    dir?.remove();
  });

  const importJson = (body: object, status = 201) =>
    request(http).post('/api/plans/import').send(body).expect(status);
  const planCount = async () =>
    (await request(http).get('/api/plans').expect(200)).body.plans.length as number;

  it('imports a Spec Kit file as a draft plan with exactly one event recording the source', async () => {
    const content = fixture('speckit/001-quirks/tasks.md');
    const res = await importJson({ content, filename: 'tasks.md' });
    const answer = res.body as ImportAnswer;
    expect(res.headers.location).toBe(`/api/plans/${answer.id}`);
    expect(answer).toMatchObject({
      revision: 1,
      format: 'speckit',
      filename: 'tasks.md',
      chunks: 3,
      tasks: 8,
    });
    expect(answer.warnings.length).toBeGreaterThan(0);

    const plan = (await request(http).get(`/api/plans/${answer.id}`).expect(200)).body;
    expect(plan).toMatchObject({ title: 'Quirks Feature', status: 'draft', chunkCount: 3, taskCount: 8 });
    expect(plan.chunks[1]).toMatchObject({ title: 'Models', executionMode: 'parallel' });
    const t004 = plan.chunks[1].tasks.find((t: { id: string }) => t.id === 'T004');
    expect(t004).toMatchObject({ canRunInParallel: true, labels: ['US1'], status: 'pending' });
    const t007 = plan.chunks[2].tasks.find((t: { id: string }) => t.id === 'T007');
    expect(t007).toMatchObject({ status: 'skipped', cancelled: true });

    const history = (await request(http).get(`/api/plans/${answer.id}/history`).expect(200)).body;
    expect(history.entries.map((e: { type: string }) => e.type)).toEqual(['PlanCreated']);
    expect(history.entries[0].data.source).toEqual({
      kind: 'import',
      format: 'speckit',
      filename: 'tasks.md',
      sha256: createHash('sha256').update(content, 'utf8').digest('hex'),
      warnings: answer.warnings.length,
    });
  });

  it('imports an OpenSpec change folder uploaded as multipart (proposal.md is the description)', async () => {
    const res = await request(http)
      .post('/api/plans/import')
      .attach('file', Buffer.from(fixture('openspec/add-dark-mode/proposal.md')), 'add-dark-mode/proposal.md')
      .attach('file', Buffer.from(fixture('openspec/add-dark-mode/tasks.md')), 'add-dark-mode/tasks.md')
      .field('repository', '/repos/web')
      .expect(201);
    expect(res.body).toMatchObject({ format: 'openspec', chunks: 3, tasks: 9 });
    const plan = (await request(http).get(`/api/plans/${res.body.id}`).expect(200)).body;
    expect(plan).toMatchObject({ title: 'Add dark mode', repository: '/repos/web' });
    expect(plan.description).toMatch(/^## Why\nPeople read the dashboard at night/);
  });

  it('imports one Task Master tag (form fields), or one plan per tag', async () => {
    const tagged = fixture('taskmaster/tagged/tasks.json');
    const one = await request(http)
      .post('/api/plans/import')
      .attach('file', Buffer.from(tagged), 'tasks.json')
      .field('tag', 'feature-x')
      .expect(201);
    expect(one.body).toMatchObject({ format: 'taskmaster', tag: 'feature-x', tasks: 2 });
    const history = (await request(http).get(`/api/plans/${one.body.id}/history`).expect(200)).body;
    expect(history.entries[0].data.source).toMatchObject({
      kind: 'import',
      format: 'taskmaster',
      detail: 'tag feature-x',
    });

    const all = await importJson({ content: tagged, filename: 'tasks.json', allTags: true });
    expect(all.body.plans.map((p: ImportAnswer) => [p.tag, p.tasks])).toEqual([
      ['master', 11],
      ['feature-x', 2],
    ]);
  });

  it('inferDependencies (JSON body or form field) makes dependencies written in words real ones', async () => {
    const content = fixture('kiro/dependencies/tasks.md');
    const plain = await importJson({ content, filename: 'tasks.md' });
    const stored = (await request(http).get(`/api/plans/${plain.body.id}`).expect(200)).body;
    type Task = { id: string; dependsOn: string[] };
    /** The dependencies of a plan's tasks (a stored plan lists them per chunk, a dry run's document flat). */
    const depsOf = (tasks: Task[]) =>
      Object.fromEntries(tasks.filter((t) => t.dependsOn.length).map((t) => [t.id, t.dependsOn]));
    const storedTasks = (plan: { chunks: Array<{ tasks: Task[] }> }) => plan.chunks.flatMap((c) => c.tasks);
    expect(depsOf(storedTasks(stored))).toEqual({});
    expect(plain.body.warnings.filter((w: { code: string }) => w.code === 'textual_dependency')).toHaveLength(
      6,
    );

    const inferred = await importJson({ content, filename: 'tasks.md', inferDependencies: true });
    const plan = (await request(http).get(`/api/plans/${inferred.body.id}`).expect(200)).body;
    const expected = { '1.2': ['1.1'], '2.1': ['1.2'], '2.2': ['2.1'], '3.1': ['3.3'] };
    expect(depsOf(storedTasks(plan))).toEqual(expected);
    expect(
      inferred.body.warnings.filter((w: { code: string }) => w.code === 'dependency_inferred'),
    ).toHaveLength(4);

    const form = await request(http)
      .post('/api/plans/import')
      .attach('file', Buffer.from(content), 'tasks.md')
      .field('inferDependencies', 'true')
      .field('dryRun', 'true')
      .expect(200);
    expect(depsOf(form.body.document.tasks)).toEqual(expected);
    await importJson({ content, inferDependencies: 'yes' }, 400);
  });

  it('a dry run answers the plan and the warnings and stores nothing', async () => {
    const before = await planCount();
    const res = await importJson({ content: fixture('massgen/project_plan.json'), dryRun: true }, 200);
    expect(res.body).toMatchObject({ format: 'massgen', chunks: 3, tasks: 6 });
    expect(res.body.id).toBeUndefined();
    expect(parsePlanDocument(res.body.document).ok).toBe(true);
    expect(await planCount()).toBe(before);
  });

  describe('errors: 400 with every issue, 413, 415, 404 — never a 500', () => {
    it('a dependency on a later chunk names the JSON path', async () => {
      const res = await importJson({ content: fixture('massgen/later-chunk.project_plan.json') }, 400);
      expect(res.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/^cannot import as massgen/),
      });
      expect(res.body.issues).toEqual([
        {
          code: 'schema',
          path: 'tasks[0]',
          message: 'tasks[0]: task A1: depends on B1 in later chunk C02_second',
        },
      ]);
    });

    it('malformed JSON names its line; unknown formats, empty input and bad bodies are refused', async () => {
      const bad = await importJson(
        { content: '{\n "tasks": [\n  {"id": 1,,}\n ]\n}', filename: 'tasks.json' },
        400,
      );
      expect(bad.body.issues[0]).toMatchObject({
        path: 'line 3',
        message: expect.stringMatching(/not valid JSON.*line 3/),
      });
      expect((await importJson({ content: 'x', format: 'trello' }, 400)).body.issues[0].path).toBe(
        'body.format',
      );
      expect((await importJson({ content: '   ' }, 400)).body.message).toMatch(/the input is empty/);
      expect(
        (await importJson({ content: 'a', files: [{ name: 'x', content: 'y' }] }, 400)).body.message,
      ).toMatch(/give either content or files/);
      expect((await importJson({ content: '# Notes\n\nprose only' }, 400)).body.message).toMatch(
        /cannot recognise the format/,
      );
      await request(http)
        .post('/api/plans/import')
        .send('{"content": ')
        .set('content-type', 'application/json')
        .expect(400);
    });

    it('bodies and uploads over the limit are 413; other media types 415; not UTF-8 is 400', async () => {
      await importJson({ content: 'x'.repeat(BODY_LIMIT + 10) }, 413);
      await request(http)
        .post('/api/plans/import')
        .attach('file', Buffer.alloc(BODY_LIMIT + 10, 'a'), 'tasks.md')
        .expect(413);
      await request(http)
        .post('/api/plans/import')
        .set('content-type', 'text/plain')
        .send('- [ ] x')
        .expect(415);
      const latin1 = await request(http)
        .post('/api/plans/import')
        .attach('file', Buffer.from([0x2d, 0x20, 0x5b, 0x20, 0x5d, 0x20, 0xe9, 0xff]), 'tasks.md')
        .expect(400);
      expect(latin1.body.message).toMatch(/not UTF-8/);
      // Multipart stays confined to the import route.
      await request(http).post('/api/plans').attach('file', Buffer.from('title: x'), 'plan.yaml').expect(415);
    });

    it('a file just under the limit imports', async () => {
      const lines = ['# Tasks: Big', '', '## Phase 1: All'];
      for (let i = 1; lines.join('\n').length < BODY_LIMIT - 2000; i++)
        lines.push(`- [ ] T${i} Task number ${i} of the big plan`);
      const content = lines.join('\n');
      const res = await request(http)
        .post('/api/plans/import')
        .attach('file', Buffer.from(content), 'tasks.md')
        .expect(201);
      expect(res.body.tasks).toBe(lines.length - 3);
    });

    it('generated hostile inputs get a plan or a 4xx, never a 500', async () => {
      const inputs = fc.sample(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.constantFrom(
            '[',
            '{"tasks":',
            '{"master":{"tasks":[{}]}}',
            '- [ ]',
            `${'['.repeat(50_000)}`,
            '---\n- [x] T1',
          ),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        { numRuns: 60, seed: 42 },
      );
      for (const content of inputs) {
        const res = await request(http).post('/api/plans/import').send({ content, format: 'auto' });
        expect([201, 400, 413]).toContain(res.status);
      }
    });
  });

  describe('export', () => {
    let id: string;
    beforeAll(async () => {
      id = (await importJson({ content: fixture('taskmaster/tagged/tasks.json'), filename: 'tasks.json' }))
        .body.id;
    });

    it.each(FORMATS)(
      'GET /plans/:id/export?format=%s imports back as the same plan (statuses included)',
      async (format) => {
        const res = await request(http).get(`/api/plans/${id}/export`).query({ format }).expect(200);
        expect(res.headers.etag).toBe('"1"');
        expect(res.body).toMatchObject({ planId: id, revision: 1, format });
        const files = res.body.files.map((f: { name: string; content: string }) => ({
          name: f.name,
          content: f.content,
        }));
        const back = await importJson({ files, format, dryRun: true }, 200);
        const original = (await request(http).get(`/api/plans/${id}`).expect(200)).body;
        const tasks = original.chunks.flatMap((c: { tasks: Array<Record<string, unknown>> }) =>
          c.tasks.map((t) => ({
            id: t.id,
            chunk: t.chunk,
            dependsOn: t.dependsOn,
            status: t.status,
            cancelled: t.cancelled === true,
          })),
        );
        expect(
          back.body.document.tasks.map((t: Record<string, unknown>) => ({
            id: t.id,
            chunk: t.chunk,
            dependsOn: t.dependsOn,
            status: t.status,
            cancelled: t.cancelled === true,
          })),
        ).toEqual(tasks);
      },
    );

    it('exports a past revision, downloads a file, and refuses unknown plans and formats', async () => {
      await request(http).patch(`/api/plans/${id}`).send({ title: 'Renamed' }).expect(200);
      const now = await request(http)
        .get(`/api/plans/${id}/export`)
        .query({ format: 'chunkwise' })
        .expect(200);
      expect(now.body.revision).toBe(2);
      expect(now.body.files[0].content).toMatch(/^title: Renamed$/m);
      const then = await request(http)
        .get(`/api/plans/${id}/export`)
        .query({ format: 'chunkwise', revision: '1' })
        .expect(200);
      expect(then.body.files[0].content).toMatch(/^title: Task Master tasks \(master\)$/m);

      const file = await request(http)
        .get(`/api/plans/${id}/export`)
        .query({ format: 'speckit', download: 'true' })
        .expect(200);
      expect(file.headers['content-type']).toMatch(/^text\/markdown/);
      expect(file.headers['content-disposition']).toBe('attachment; filename="tasks.md"');
      expect(file.text).toMatch(/^# Tasks: Renamed$/m);

      await request(http).get('/api/plans/p_doesnotexist/export').query({ format: 'kiro' }).expect(404);
      await request(http).get(`/api/plans/${id}/export`).query({ format: 'kiro', revision: '9' }).expect(404);
      await request(http).get(`/api/plans/${id}/export`).query({ format: 'trello' }).expect(400);
      await request(http).get(`/api/plans/${id}/export`).expect(400);
    });
  });

  it('the OpenAPI document describes both routes', async () => {
    const doc = (await request(http).get('/api/docs-json').expect(200)).body;
    expect(doc.paths['/api/plans/import'].post.requestBody.content).toHaveProperty('multipart/form-data');
    expect(doc.paths['/api/plans/{id}/export'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['id', 'format', 'revision']),
    );
  });
});

describe('chunkwise import / export (CLI against `chunkwise up --no-temporal`)', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let up: Up | undefined;

  beforeAll(async () => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'chunkwise-cli-import-'));
    const port = await freePort();
    env = cleanEnv({ CHUNKWISE_API_URL: `http://127.0.0.1:${port}` });
    up = await startUp(['--no-temporal', '--data-dir', join(work, 'data'), '--port', String(port)], env);
  });

  afterAll(async () => {
    if (up && up.child.exitCode === null && up.child.signalCode === null) await stopUp(up);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('imports a file, printing the plan id, the counts and the warnings', async () => {
    const r = await cli(['import', join(FIXTURES, 'kiro/quirks/tasks.md')], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^imported plan p_[a-z0-9]{12} \(revision 1\) from .*tasks\.md as kiro: 4 chunks, 6 tasks, \d+ warnings?$/m,
    );
    expect(r.stdout).toMatch(
      /^ {2}- checkbox marked \[-\] \(in progress or partial\) imported as pending: line 19$/m,
    );
  });

  it('imports an OpenSpec change folder with --title and --repo, and --json answers the result', async () => {
    const r = await cli(
      [
        'import',
        join(FIXTURES, 'openspec/add-dark-mode'),
        '--title',
        'Dark mode',
        '--repo',
        '/repos/web',
        '--json',
      ],
      env,
    );
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as ImportAnswer;
    expect(answer).toMatchObject({ format: 'openspec', tasks: 9 });
    const show = await cli(['plans', 'show', answer.id, '--json'], env);
    expect(JSON.parse(show.stdout)).toMatchObject({ title: 'Dark mode', repository: '/repos/web' });
  });

  it('--dry-run prints the plan and the warnings and stores nothing', async () => {
    const before = JSON.parse((await cli(['plans', 'list', '--json'], env)).stdout).plans.length;
    const r = await cli(['import', join(FIXTURES, 'speckit/001-quirks/tasks.md'), '--dry-run'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run: .* read as speckit; nothing stored$/m);
    expect(r.stdout).toMatch(/^ {2}C02_models {2}Models {2}\[parallel\]$/m);
    expect(r.stdout).toMatch(/^ {4}\[x\] T002 {2}Configure linting {2}\[P\]$/m);
    expect(r.stdout).toMatch(/^warnings \(\d+\):$/m);
    expect(JSON.parse((await cli(['plans', 'list', '--json'], env)).stdout).plans.length).toBe(before);
  });

  it('a refused import exits 1 naming each problem', async () => {
    const r = await cli(['import', join(FIXTURES, 'massgen/later-chunk.project_plan.json')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot import .*later-chunk\.project_plan\.json \(1 problem\):$/m);
    expect(r.stderr).toMatch(/tasks\[0\]: task A1: depends on B1 in later chunk C02_second/);
    const missing = await cli(['import', join(work, 'nope.md')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.md: no such file or folder/);
  });

  it('--infer-dependencies stores the dependencies written in words that name tasks of the plan', async () => {
    const r = await cli(
      ['import', join(FIXTURES, 'speckit/003-suffixes-ranges/tasks.md'), '--infer-dependencies', '--json'],
      env,
    );
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as ImportAnswer;
    const show = JSON.parse((await cli(['plans', 'show', answer.id, '--json'], env)).stdout) as {
      chunks: Array<{ tasks: Array<{ id: string; dependsOn: string[] }> }>;
    };
    const byId = new Map(show.chunks.flatMap((c) => c.tasks).map((t) => [t.id, t.dependsOn]));
    expect(byId.get('T020')).toEqual([
      'T009',
      'T010',
      'T011',
      'T012',
      'T013',
      'T014',
      'T015',
      'T016',
      'T017',
    ]);
    expect(byId.get('T018')).toEqual(['T017']);
    expect(byId.get('T011')).toEqual([]);
  });

  it('--all-tags makes one plan per Task Master tag; export writes a file another import reads back', async () => {
    const r = await cli(['import', join(FIXTURES, 'taskmaster/tagged/tasks.json'), '--all-tags'], env);
    expect(r.code).toBe(0);
    // Every tag was imported: no warning tells the user to choose one.
    expect(r.stdout).not.toMatch(/--tag|--all-tags/);
    const ids = [...r.stdout.matchAll(/^imported plan (p_[a-z0-9]{12}) .*\(tag (\S+)\)/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(ids.map(([, tag]) => tag)).toEqual(['master', 'feature-x']);

    const out = join(work, 'export', 'tasks.json');
    const exported = await cli(['export', ids[0][0], '--format', 'taskmaster', '-o', out], env);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/^wrote .*tasks\.json \(plan p_\w+ at revision 1, taskmaster\)$/m);
    expect(JSON.parse(readFileSync(out, 'utf8')).master.tasks[0]).toMatchObject({ id: 1, status: 'done' });
    const again = await cli(['import', out, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ format: 'taskmaster', tasks: 11, chunks: 6 });

    const folder = join(work, 'change');
    mkdirSync(folder);
    const openspec = await cli(['export', ids[0][0], '--format', 'openspec', '-o', `${folder}/`], env);
    expect(openspec.code).toBe(0);
    expect(existsSync(join(folder, 'tasks.md')) && existsSync(join(folder, 'proposal.md'))).toBe(true);

    const stdout = await cli(['export', ids[1][0], '--format', 'speckit'], env);
    expect(stdout.stdout).toMatch(/^# Tasks: /);
    writeFileSync(join(work, 'bad.json'), '{"tasks": [');
    const bad = await cli(['import', join(work, 'bad.json'), '--dry-run'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not valid JSON/);
  });
});

describe('chunkwise writing into a pipe that closes early (`chunkwise … | head`)', () => {
  let work: string;

  beforeAll(() => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'chunkwise-pipe-'));
    // Thousands of output lines: far more than a pipe holds, so writes go on after the reader left.
    const lines = ['# Tasks', '', '## 1. Many', ''];
    for (let i = 1; i <= 3000; i++) lines.push(`- [ ] 1.${i} Task number ${i}`);
    writeFileSync(join(work, 'tasks.md'), lines.join('\n'));
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the built CLI with stdout a pipe that we close after the first chunk (or at once). */
  const closedEarly = (args: string[], closeAt: 'first-chunk' | 'start') =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }>(
      (resolveRun, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: ROOT,
          env: cleanEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        let got = 0;
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        if (closeAt === 'start') child.stdout.destroy();
        else
          child.stdout.once('data', (d: Buffer) => {
            got = d.length;
            child.stdout.destroy();
          });
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`chunkwise ${args.join(' ')} did not exit after its reader left`));
        }, 60_000);
        child.once('error', reject);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          resolveRun({ code, signal, stderr, got });
        });
      },
    );

  it.each([
    ['a long dry run, closed after its first chunk', ['import', 'TASKS', '--dry-run'], 'first-chunk'],
    ['--help, closed before it writes', ['--help'], 'start'],
    ['import --help, closed before it writes', ['import', '--help'], 'start'],
  ] as const)('%s: exits quietly with status 0', async (_name, args, closeAt) => {
    const r = await closedEarly(
      args.map((a) => (a === 'TASKS' ? join(work, 'tasks.md') : a)),
      closeAt,
    );
    if (closeAt === 'first-chunk') expect(r.got).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });
});
