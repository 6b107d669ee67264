/**
 * End to end: the REAL `chunkwise` command (bin/chunkwise.js → dist/) as child processes. `up` runs
 * the API in its own process on real SQLite files; every other command talks to it over HTTP.
 * A second suite starts the full stack with the real Temporal dev server.
 *
 * Needs the build (`npm run build`, done by `npm run setup` and .ci/run). Outside CI a missing or
 * stale build is rebuilt here first.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { findTemporalBinary } from '@chunkwise/temporal';
import { inCi } from './support/ci';
import { cleanEnv, cli, ensureBuilt, freePort, ROOT, startUp, stopUp, type Up } from './support/cli-process';

jest.setTimeout(240_000);

const SAMPLE = join(ROOT, 'examples', 'sample-plan.yaml');
const SAMPLE_TITLE = 'Todo CLI: a small task manager for the terminal';

const INVALID_PLAN = `title: Broken plan
chunks:
  - key: C01
    title: One
  - key: C02
    title: Two
tasks:
  - id: A
    chunk: C01
    title: first
    dependsOn: [B]
  - id: B
    chunk: C02
    title: second
    dependsOn: [ZZ]
  - id: A
    chunk: C09
    title: duplicate
`;

const SMALL_PLAN = {
  title: 'Small JSON plan',
  repository: 'git@example.com:team/small.git',
  chunks: [
    { key: 'C01_setup', title: 'Set-up' },
    { key: 'C02_feature', title: 'Feature', executionMode: 'parallel', pauseAfter: true },
  ],
  tasks: [
    { id: 'S1', chunk: 'C01_setup', title: 'Scaffold', acceptance: ['builds'] },
    { id: 'S2', chunk: 'C02_feature', title: 'Implement', dependsOn: ['S1'], canRunInParallel: true },
  ],
};

/** The standard gRPC health check of the whole server. */
function grpcHealth(address: string): Promise<string> {
  const pkg = grpc.loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client } } };
  };
  const client = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure()) as grpc.Client & {
    check(req: object, cb: (err: Error | null, res: { status: string }) => void): void;
  };
  return new Promise((resolve, reject) =>
    client.check({ service: '' }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    }),
  );
}

// ---- the API-only stack -----------------------------------------------------------------------

describe('chunkwise CLI against `chunkwise up --no-temporal`', () => {
  let work: string;
  let dataDir: string;
  let port: number;
  let grpcPort: number;
  let env: NodeJS.ProcessEnv;
  let up: Up | undefined;
  let sampleId = '';
  let smallId = '';

  beforeAll(async () => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'chunkwise-cli-e2e-'));
    dataDir = join(work, 'data');
    port = await freePort();
    grpcPort = await freePort();
    env = cleanEnv({ CHUNKWISE_API_URL: `http://127.0.0.1:${port}`, CHUNKWISE_GRPC_PORT: String(grpcPort) });
    writeFileSync(join(work, 'invalid.yaml'), INVALID_PLAN);
    writeFileSync(join(work, 'small.json'), JSON.stringify(SMALL_PLAN, null, 2));
    up = await startUp(['--no-temporal', '--data-dir', dataDir, '--port', String(port)], env);
  });

  afterAll(async () => {
    if (up && up.child.exitCode === null && up.child.signalCode === null) await stopUp(up);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('up prints progress, the URLs and where the data lives', async () => {
    const out = up!.output();
    expect(out).toMatch(/^starting API… ok \([\d.]+ m?s\)$/m);
    expect(out).toMatch(new RegExp(`^  API +http://127\\.0\\.0\\.1:${port}/api$`, 'm'));
    expect(out).toMatch(new RegExp(`^  OpenAPI docs +http://127\\.0\\.0\\.1:${port}/api/docs$`, 'm'));
    expect(out).toMatch(new RegExp(`^  Dashboard +http://127\\.0\\.0\\.1:${port}/$`, 'm'));
    expect(out).toMatch(/^ {2}Temporal +not started \(--no-temporal\)$/m);
    expect(out).toMatch(
      new RegExp(
        `^ {2}gRPC +127\\.0\\.0\\.1:${grpcPort} +\\(CHUNKWISE_GRPC_PORT; see docs/grpc\\.md\\)$`,
        'm',
      ),
    );
    expect(await grpcHealth(`127.0.0.1:${grpcPort}`)).toBe('SERVING');
    expect(out).toContain(`Event store   sqlite ${join(dataDir, 'events.db')}`);
    expect(out).toContain(`Read models   sqlite ${join(dataDir, 'read-models.db')}`);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    const docs = await fetch(`http://127.0.0.1:${port}/api/docs`);
    expect(docs.status).toBe(200);
    // The dashboard it prints is served by the API process (built into dist/web by setup).
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await page.text()).toContain('<div id="root"></div>');
  });

  it('plans create from YAML and JSON prints id and revision (table and --json)', async () => {
    const yaml = await cli(['plans', 'create', '--file', SAMPLE], env);
    expect(yaml.stderr).toBe('');
    expect(yaml.code).toBe(0);
    const m = /^created plan (\S+) \(revision 1\)$/m.exec(yaml.stdout);
    expect(m).not.toBeNull();
    sampleId = m![1];

    const json = await cli(['plans', 'create', '-f', join(work, 'small.json'), '--json'], env);
    expect(json.code).toBe(0);
    const created = JSON.parse(json.stdout) as { id: string; revision: number };
    expect(created.revision).toBe(1);
    smallId = created.id;
    expect(smallId).not.toBe(sampleId);
  });

  it('plans list shows a table and filters; --json returns the plans', async () => {
    const table = await cli(['plans', 'list'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +TITLE +STATUS +REV +CHUNKS +TASKS +PROGRESS +REPOSITORY +UPDATED$/);
    expect(lines).toHaveLength(3);
    expect(table.stdout).toMatch(
      new RegExp(`${sampleId} +${SAMPLE_TITLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +draft +1 +3 +0/9 +0%`),
    );
    expect(table.stdout).toMatch(
      new RegExp(`${smallId} +Small JSON plan +draft +1 +2 +0/2 +0% +git@example.com:team/small.git`),
    );

    const json = JSON.parse((await cli(['plans', 'list', '--json'], env)).stdout) as {
      plans: Array<{ id: string }>;
    };
    expect(json.plans.map((p) => p.id).sort()).toEqual([sampleId, smallId].sort());

    const byRepo = await cli(
      ['plans', 'list', '--repository', 'git@example.com:team/small.git', '--json'],
      env,
    );
    expect((JSON.parse(byRepo.stdout) as { plans: Array<{ id: string }> }).plans.map((p) => p.id)).toEqual([
      smallId,
    ]);
    const none = await cli(['plans', 'list', '--status', 'ready'], env);
    expect(none).toMatchObject({ code: 0, stdout: 'No plans match.\n' });
  });

  it('plans show groups tasks by chunk with mode, pauseAfter, statuses and dependencies', async () => {
    const r = await cli(['plans', 'show', sampleId], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(SAMPLE_TITLE);
    expect(r.stdout).toMatch(new RegExp(`^ {2}id +${sampleId}$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}status +draft \(revision 1\)$/m);
    expect(r.stdout).toContain('C01_models — Data model  [sequential]  0/2 done');
    expect(r.stdout).toContain('C02_storage — Storage  [parallel, pause after]  0/3 done');
    expect(r.stdout).toContain('C03_commands — Commands  [sequential]  0/4 done');
    expect(r.stdout).toMatch(/^ {2}TASK +TITLE +STATUS +DEPENDS ON +PARALLEL$/m);
    expect(r.stdout).toMatch(
      /^ {2}T03_file_store +JSON file store with atomic writes +· pending +T01_todo_model +yes$/m,
    );
    expect(r.stdout).toMatch(
      /^ {2}T05_store_contract +Shared store contract tests +· pending +T03_file_store, T04_memory_store +-$/m,
    );
    // chunks in plan order
    expect(r.stdout.indexOf('C01_models')).toBeLessThan(r.stdout.indexOf('C02_storage'));
    expect(r.stdout.indexOf('C02_storage')).toBeLessThan(r.stdout.indexOf('C03_commands'));

    const json = JSON.parse((await cli(['plans', 'show', sampleId, '--json'], env)).stdout) as {
      id: string;
      chunks: Array<{
        key: string;
        executionMode: string;
        pauseAfter: boolean;
        tasks: Array<{ id: string; dependsOn: string[] }>;
      }>;
    };
    expect(json.id).toBe(sampleId);
    expect(json.chunks.map((c) => [c.key, c.executionMode, c.pauseAfter, c.tasks.length])).toEqual([
      ['C01_models', 'sequential', false, 2],
      ['C02_storage', 'parallel', true, 3],
      ['C03_commands', 'sequential', false, 4],
    ]);
  });

  it('plans validate: a stored plan, a valid file, and an invalid file listing every issue (exit 1)', async () => {
    expect(await cli(['plans', 'validate', sampleId], env)).toEqual({
      code: 0,
      stdout: `✓ plan ${sampleId} is valid\n`,
      stderr: '',
    });
    const file = await cli(['plans', 'validate', '--file', SAMPLE], env);
    expect(file).toMatchObject({ code: 0, stdout: `✓ ${SAMPLE} is valid\n` });

    const bad = await cli(['plans', 'validate', '--file', join(work, 'invalid.yaml')], env);
    expect(bad.code).toBe(1);
    const lines = bad.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`✗ ${join(work, 'invalid.yaml')} is invalid (4 issues):`);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- task A: duplicate task id .*\[duplicate_task_id\]$/),
      expect.stringMatching(/^ {2}- task A: unknown chunk C09 .*\[unknown_chunk\]$/),
      expect.stringMatching(
        /^ {2}- task A: depends on B in later chunk C02 .*\[dependency_on_later_chunk\]$/,
      ),
      expect.stringMatching(/^ {2}- task B: depends on unknown task ZZ .*\[unknown_dependency\]$/),
    ]);

    const badJson = await cli(['plans', 'validate', '--file', join(work, 'invalid.yaml'), '--json'], env);
    expect(badJson.code).toBe(1);
    expect((JSON.parse(badJson.stdout) as { valid: boolean; issues: unknown[] }).issues).toHaveLength(4);
  });

  it('plans create with an invalid file exits 1, lists every issue on stderr and stores nothing', async () => {
    const r = await cli(['plans', 'create', '--file', join(work, 'invalid.yaml')], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error: cannot create a plan from .*invalid\.yaml: .*\(4 issues\):$/);
    expect(lines.slice(1).map((l) => l.replace(/ \(at .*$/, ''))).toEqual([
      '  - task A: duplicate task id',
      '  - task A: unknown chunk C09',
      '  - task A: depends on B in later chunk C02',
      '  - task B: depends on unknown task ZZ',
    ]);

    const notYaml = join(work, 'broken.yaml');
    writeFileSync(notYaml, 'title: [unclosed\n');
    const syntax = await cli(['plans', 'create', '--file', notYaml], env);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^error: plan file .*broken\.yaml is not valid YAML/);

    const missing = await cli(['plans', 'create', '--file', join(work, 'nope.yaml')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read plan file .*nope\.yaml: no such file/);

    const list = JSON.parse((await cli(['plans', 'list', '--json'], env)).stdout) as { plans: unknown[] };
    expect(list.plans).toHaveLength(2);
  });

  it('plans finalize freezes the revision; finalizing again is refused', async () => {
    const r = await cli(['plans', 'finalize', sampleId], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // The estimate follows as a hint: none without past sessions.
    expect(r.stdout).toBe(
      `finalized plan ${sampleId} at revision 1\n  plan ${sampleId}: no history yet to estimate 9 tasks from\n`,
    );
    const json = await cli(['plans', 'finalize', smallId, '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ id: smallId, revision: 1 });

    const again = await cli(['plans', 'finalize', sampleId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*finalized/);

    const ready = await cli(['plans', 'list', '--status', 'ready'], env);
    expect(ready.stdout).toContain(sampleId);
    expect(ready.stdout).toMatch(/ready +1 \(final 1\)/);
    const show = await cli(['plans', 'show', sampleId], env);
    expect(show.stdout).toMatch(/^ {2}status +ready \(revision 1, finalized at revision 1\)$/m);
  });

  it('plans history lists time, revision, type and a summary per event', async () => {
    const r = await cli(['plans', 'history', sampleId], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME +REV +EVENT +SUMMARY$/);
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +1 +PlanCreated +created "Todo CLI: a small task manager for the terminal": 3 chunks, 9 tasks \(via cli, yaml\)$/,
    );
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +1 +PlanFinalized +finalized revision 1$/);

    const json = JSON.parse((await cli(['plans', 'history', smallId, '--json'], env)).stdout) as {
      planId: string;
      entries: Array<{ type: string }>;
    };
    expect(json.planId).toBe(smallId);
    expect(json.entries.map((e) => e.type)).toEqual(['PlanCreated', 'PlanFinalized']);
  });

  it('plans show --revision shows a past revision; an unknown revision or id exits 1', async () => {
    const r = await cli(['plans', 'show', sampleId, '--revision', '1', '--json'], env);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { revision: number }).revision).toBe(1);

    const noRev = await cli(['plans', 'show', sampleId, '--revision', '7'], env);
    expect(noRev.code).toBe(1);
    expect(noRev.stderr).toMatch(/^error: .*no revision 7/);

    for (const args of [
      ['plans', 'show', 'p_doesnotexist'],
      ['plans', 'history', 'p_doesnotexist'],
      ['plans', 'validate', 'p_doesnotexist'],
      ['plans', 'finalize', 'p_doesnotexist'],
    ]) {
      const unknown = await cli(args, env);
      expect({ args, code: unknown.code }).toEqual({ args, code: 1 });
      expect(unknown.stderr).toMatch(/^error: .*p_doesnotexist.*not found/);
    }
  });

  it('usage errors exit 2; an unreachable API exits 1 with the hint', async () => {
    const missingArg = await cli(['plans', 'show'], env);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toMatch(/missing required argument 'id'/);
    expect((await cli(['plans', 'frobnicate'], env)).code).toBe(2);
    expect((await cli(['plans', 'list', '--status', 'sideways'], env)).code).toBe(2);
    expect((await cli(['plans', 'validate'], env)).code).toBe(2);

    const closed = await freePort();
    const down = await cli(['--api', `http://127.0.0.1:${closed}`, 'plans', 'list'], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `error: cannot reach the API at http://127.0.0.1:${closed} — is \`chunkwise up\` running? (ECONNREFUSED)\n`,
    );
  });

  it('a second `up` is refused clearly: same data dir, or the port taken', async () => {
    const sameDir = await cli(
      ['up', '--no-temporal', '--data-dir', dataDir, '--port', String(await freePort())],
      env,
    );
    expect(sameDir.code).toBe(1);
    expect(sameDir.stderr).toMatch(/^error: another `chunkwise up` \(pid \d+\) is already using /);

    const samePort = await cli(
      ['up', '--no-temporal', '--data-dir', join(work, 'other'), '--port', String(port)],
      env,
    );
    expect(samePort.code).toBe(1);
    expect(samePort.stderr).toContain(`error: port ${port} on 127.0.0.1 is already in use`);
  });

  it('replay refuses while the API holds the projector lock; --verify compares without touching', async () => {
    const locked = await cli(['replay', '--data-dir', dataDir], env);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('holds the projector lock');
    expect(locked.stderr).toContain('chunkwise replay --verify');

    const verify = await cli(['replay', '--data-dir', dataDir, '--verify'], env);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/✓ the read models match a fresh replay: 2 plans, 4 events replayed/);
  });

  it('SIGTERM stops `up` cleanly (exit 0); the next `up` reuses the data; replay rebuilds it', async () => {
    const exit = await stopUp(up!);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(up!.output()).toMatch(/SIGTERM received, stopping…\n {2}stopping API… ok/);
    expect(up!.output()).toContain(`stopped. Data kept in ${dataDir}`);
    expect(existsSync(join(dataDir, 'chunkwise-up.pid'))).toBe(false);

    // Stopped: replay rebuilds the read models from the 4 events (2 created, 2 finalized).
    const replay = await cli(['replay', '--data-dir', dataDir], env);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^replaying the event store into sqlite .*read-models\.db… ok/m);
    expect(replay.stdout).toMatch(
      /^replayed 4 events in [\d.]+ m?s \([\d,]+ events\/s\); the read models now hold 2 plans/m,
    );
    const replayJson = JSON.parse((await cli(['replay', '--data-dir', dataDir, '--json'], env)).stdout) as {
      events: number;
      plans: number;
    };
    expect(replayJson).toMatchObject({ events: 4, plans: 2 });

    // Start again on the same data dir, this time requiring a token.
    const token = 'e2e-secret-token';
    const envToken = { ...env, CHUNKWISE_API_TOKEN: token };
    up = await startUp(['--no-temporal', '--data-dir', dataDir, '--port', String(port)], envToken);
    expect(up.output()).toContain('Auth          bearer token required');

    const noToken = await cli(['plans', 'list'], env);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/^error: .* — this API requires a token: set CHUNKWISE_API_TOKEN$/m);

    const list = await cli(['plans', 'list', '--json'], envToken);
    expect(list.code).toBe(0);
    const plans = (JSON.parse(list.stdout) as { plans: Array<{ id: string; status: string }> }).plans;
    expect(plans.map((p) => [p.id, p.status]).sort()).toEqual(
      [
        [sampleId, 'ready'],
        [smallId, 'ready'],
      ].sort(),
    );

    // SIGINT (Ctrl-C) stops it cleanly too.
    expect(await stopUp(up, 'SIGINT')).toEqual({ code: 0, signal: null });
  });
});

// ---- the full stack with the real Temporal dev server ------------------------------------------

let temporalUnavailable = '';
try {
  if (!findTemporalBinary()) temporalUnavailable = 'no Temporal CLI found (run `npm run setup`)';
} catch (err) {
  temporalUnavailable = err instanceof Error ? err.message : String(err);
}

if (temporalUnavailable && !inCi) {
  console.warn(`SKIPPING the Temporal part of test/cli.e2e.ts: ${temporalUnavailable}`);
  test.skip('chunkwise up with the Temporal dev server (no Temporal CLI)', () => undefined);
} else {
  describe('chunkwise up with the Temporal dev server', () => {
    let work: string;
    let up: Up | undefined;

    beforeAll(() => {
      if (temporalUnavailable)
        throw new Error(`CI=true and the Temporal CLI is unavailable: ${temporalUnavailable}`);
      ensureBuilt();
      work = mkdtempSync(join(tmpdir(), 'chunkwise-cli-temporal-'));
    });

    afterAll(async () => {
      if (up && up.child.exitCode === null && up.child.signalCode === null) await stopUp(up);
      if (work) rmSync(work, { recursive: true, force: true });
    });

    const start = async () => {
      const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
      const env = cleanEnv({ CHUNKWISE_API_URL: `http://127.0.0.1:${port}` });
      const args = ['--data-dir', work, '--port', String(port), '--temporal-port', String(temporalPort)];
      up = await startUp([...args, '--temporal-ui-port', String(uiPort), '--sample'], env);
      return { port, temporalPort, uiPort, env };
    };

    it('starts Temporal (UI answering), the API and the worker; --sample creates the sample plan once', async () => {
      const { temporalPort, uiPort, env } = await start();
      const out = up!.output();
      expect(out).toMatch(/^starting Temporal dev server… ok \([\d.]+ m?s\)$/m);
      expect(out).toMatch(/^starting API… ok/m);
      if (existsSync(join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js'))) {
        expect(out).toMatch(/^starting worker… ok \(pid \d+, [\d.]+ m?s\)$/m);
      }
      expect(out).toMatch(
        new RegExp(`^ {2}Temporal +127\\.0\\.0\\.1:${temporalPort} \\(namespace default`, 'm'),
      );
      const ui = new RegExp(`^ {2}Temporal UI +(http://127\\.0\\.0\\.1:${uiPort})$`, 'm').exec(out);
      expect(ui).not.toBeNull();
      const page = await fetch(ui![1]);
      expect(page.status).toBe(200);
      // The API it started knows the UI too: the dashboard links each session to it.
      const settings = await fetch(`${env.CHUNKWISE_API_URL}/api/dashboard/settings`);
      expect(await settings.json()).toEqual({ temporalUiUrl: ui![1], temporalNamespace: 'default' });
      expect(out).toContain(`Temporal db   ${join(work, 'temporal.db')}`);
      expect(out).toMatch(/^Created the sample plan from .*sample-plan\.yaml: (\S+) \(revision 1\)$/m);
      expect(out).toContain('C02_storage — Storage  [parallel, pause after]  0/3 done');

      const list = await cli(['plans', 'list'], env);
      expect(list.stdout).toContain('Todo CLI: a small task manager for the terminal');

      expect(await stopUp(up!)).toEqual({ code: 0, signal: null });
      expect(up!.output()).toMatch(/stopping Temporal dev server… ok/);
    });

    it('a restart on the same data dir reuses everything: the sample plan is not created twice', async () => {
      const { env } = await start();
      expect(up!.output()).toMatch(
        /^Sample plan "Todo CLI: a small task manager for the terminal" already exists: \S+$/m,
      );
      const plans = (JSON.parse((await cli(['plans', 'list', '--json'], env)).stdout) as { plans: unknown[] })
        .plans;
      expect(plans).toHaveLength(1);
      expect(await stopUp(up!, 'SIGINT')).toEqual({ code: 0, signal: null });
    });
  });
}
