/**
 * End to end: `chunkwise plan` (the CLI in process, as program.spec does) against the REAL API from
 * createApp on temporary SQLite files, whose planning service talks through the real Anthropic SDK to
 * FakeAnthropic, a local Messages-API server. The fake plays the model: it reads the current plan from
 * the request's context and answers each tool (submit_plan, submit_revision, submit_judgement,
 * submit_suggestions) the way a model would.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '@chunkwise/config';
import type { PlanDetail } from '@chunkwise/read-models';
import type { PlanDeps } from '../apps/cli/src/commands/plan';
import { run } from '../apps/cli/src/program';
import { memoryIo } from './support/cli-fakes';
import { createApp } from '../apps/api/src/app.factory';
import { FakeAnthropic, type FakeReply, type FakeRequest } from './support/fake-anthropic';
import { currentPlan, type PlanDoc } from './support/planning-model';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(60_000);

interface Api {
  url: string;
  close(): Promise<void>;
}

/** The real API on a fresh data directory, listening on a free port. */
async function startApi(env: Record<string, string>): Promise<Api> {
  const dir = makeTempDir('chunkwise-cli-plan-');
  const config = loadConfig({
    CHUNKWISE_DATA_DIR: dir.path,
    CHUNKWISE_LOG_LEVEL: 'error',
    // Nothing listens there: execution routes answer 503 at once, whatever runs on this machine.
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    ...env,
  });
  const app = await createApp(config, { logger: ['error'], temporalConnectTimeoutMs: 500 });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      dir.remove();
    },
  };
}

/** A scratch git repository with a file the generation request should show the model. */
function gitRepo(): { path: string; remove(): void } {
  const dir = makeTempDir('chunkwise-cli-plan-repo-');
  writeFileSync(join(dir.path, 'package.json'), JSON.stringify({ name: 'greeter-fixture-pkg' }, null, 2));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir.path, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init');
  return dir;
}

// ---- the model --------------------------------------------------------------------------------

const task = (id: string, chunk: string, title: string, dependsOn: string[] = [], parallel = false) => ({
  id,
  chunk,
  title,
  description: `${title}, with tests`,
  acceptance: [`${title} works`],
  dependsOn,
  canRunInParallel: parallel,
});

const FIRST_PLAN: PlanDoc = {
  title: 'Greeter',
  description: 'A greeting command',
  chunks: [
    { key: 'C01_core', title: 'Core', description: 'the library', executionMode: 'sequential' },
    { key: 'C02_cli', title: 'Command line', description: 'the binary', executionMode: 'parallel' },
  ],
  tasks: [
    task('T1', 'C01_core', 'greet(name) function'),
    task('T2', 'C02_cli', 'CLI entry point', ['T1'], true),
    task('T3', 'C02_cli', 'README usage section', ['T1'], true),
  ],
};

const prompt = (req: FakeRequest) => String(req.body.messages[0].content);
const tool = (name: string, input: unknown): FakeReply => ({
  content: [{ type: 'tool_use', name, input }],
  usage: { input_tokens: 1000, output_tokens: 200 },
});

/** The scripted model: what it answers depends on the tool asked for and the feedback in the prompt. */
function model(req: FakeRequest): FakeReply {
  const name = req.body.tools[0].name as string;
  if (name === 'submit_plan') return tool(name, FIRST_PLAN);
  if (name === 'submit_judgement')
    return tool(name, {
      decision: 'pick',
      pickedDraft: 1,
      rationale: 'draft 1 is the most direct',
      merged: null,
    });
  if (name === 'submit_suggestions') {
    return tool(name, {
      suggestions: [
        {
          id: 'whatever',
          kind: 'add_task',
          reasoning: 'Nothing checks the command end to end',
          before: null,
          after: { task: { ...task('T9', 'C02_cli', 'End-to-end test of the CLI', ['T2']) } },
        },
      ],
    });
  }
  if (name === 'submit_revision') {
    const plan = currentPlan(req);
    const feedback = prompt(req);
    if (feedback.includes('add a test task')) {
      plan.tasks.push(task('T4', 'C01_core', 'Unit tests for greet', ['T1']));
      return tool(name, { ...plan, summary: 'added T4 (unit tests)' });
    }
    if (feedback.includes('rename T1')) {
      plan.tasks[0] = { ...plan.tasks[0], title: 'greet()' };
      return tool(name, { ...plan, summary: 'renamed T1' });
    }
    if (feedback.includes('break it')) {
      // Invalid on the first answer and on the repair turn: a dependency on a task that does not exist.
      plan.tasks[0] = { ...plan.tasks[0], dependsOn: ['T404'] };
      return tool(name, { ...plan, summary: 'broken' });
    }
  }
  throw new Error(`the scripted model has no answer for ${name}: ${prompt(req).slice(0, 200)}`);
}

// ---- the CLI ------------------------------------------------------------------------------------

async function cli(args: string[], env: NodeJS.ProcessEnv, stdin?: NodeJS.ReadableStream) {
  const io = memoryIo();
  const deps: PlanDeps = { io, env, stdin };
  const code = await run(['node', 'chunkwise', ...args], deps);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('chunkwise plan (planning with Claude) against the real API and a fake Messages API', () => {
  let fake: FakeAnthropic;
  let api: Api;
  let repo: { path: string; remove(): void };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    fake.respondWith(model);
    api = await startApi({ ANTHROPIC_BASE_URL: fake.url, CHUNKWISE_LLM_MAX_RETRIES: '0' });
    repo = gitRepo();
    env = { CHUNKWISE_API_URL: api.url };
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
    repo?.remove();
  });

  const toolsSince = (n: number) => fake.requests.slice(n).map((r) => r.body.tools[0].name as string);

  it('scripted: generate, --refine, --edit, --review --apply all, --finalize, --json', async () => {
    const before = fake.requests.length;
    const r = await cli(
      [
        'plan',
        'Greeter CLI\nA command that greets people by name.',
        '--repo',
        repo.path,
        '--chunks',
        '2',
        '--refine',
        'add a test task',
        '--drafts',
        '2',
        '--edit',
        'rename T1 to greet()',
        '--review',
        'add_missing',
        '--apply',
        'all',
        '--finalize',
        '--json',
      ],
      env,
    );
    if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);

    // Generate, 2 drafts + the judge (multi), one quick edit (single), the review.
    expect(toolsSince(before)).toEqual([
      'submit_plan',
      'submit_revision',
      'submit_revision',
      'submit_judgement',
      'submit_revision',
      'submit_suggestions',
    ]);
    const generation = fake.requests[before].body;
    expect(prompt(fake.requests[before])).toContain('Use about 2 chunks.');
    // --repo was sent as a path and its files became the model's context.
    expect(JSON.stringify(generation.system)).toContain('greeter-fixture-pkg');

    const summary = JSON.parse(r.stdout) as {
      planId: string;
      title: string;
      status: string;
      revision: number;
      finalizedRevision: number;
      planningIterations: number;
      lastPlanningMode: string;
      usage: { calls: number; inputTokens: number; outputTokens: number };
      turns: Array<{ action: string; mode?: string; revision?: number; ids?: string[] }>;
      suggestionSets: Array<{ setId: string; reviewType: string; revision: number; applied: string[] }>;
    };
    expect(summary).toMatchObject({
      title: 'Greeter CLI',
      status: 'ready',
      revision: 4,
      finalizedRevision: 4,
      planningIterations: 3,
      lastPlanningMode: 'single',
      usage: { calls: 6, inputTokens: 6000, outputTokens: 1200 },
    });
    expect(summary.turns.map((t) => [t.action, t.mode ?? null, t.revision ?? null])).toEqual([
      ['generate', null, 1],
      ['refine', 'multi', 2],
      ['refine', 'single', 3],
      ['review', null, null],
      ['apply', null, 4],
      ['finalize', null, 4],
    ]);
    expect(summary.suggestionSets).toEqual([
      expect.objectContaining({ reviewType: 'add_missing', revision: 3, applied: ['s1'] }),
    ]);
    // Progress went to stderr; stdout is one JSON document.
    expect(r.stderr).toContain('generating a plan with Claude…');
    expect(r.stderr).toMatch(/continue planning: 2 drafts in parallel, then a judge: done/);

    // The stored plan is what the turns made.
    const plan = await getJson<PlanDetail>(`${api.url}/api/plans/${summary.planId}`);
    expect(plan).toMatchObject({ status: 'ready', finalizedRevision: 4, planningIterations: 3 });
    expect(plan.repository).toBe(repo.path);
    const tasks = plan.chunks.flatMap((c) => c.tasks.map((t) => `${c.key}/${t.id} ${t.title}`));
    expect(tasks).toEqual([
      'C01_core/T1 greet()',
      'C01_core/T4 Unit tests for greet',
      'C02_cli/T2 CLI entry point',
      'C02_cli/T3 README usage section',
      'C02_cli/T9 End-to-end test of the CLI',
    ]);
    expect(plan.feedback.map((f) => [f.revision, f.mode, f.feedback])).toEqual([
      [2, 'multi', 'add a test task'],
      [3, 'single', 'rename T1 to greet()'],
    ]);

    // plan diff and plan usage on the same plan.
    const diff = await cli(['plan', 'diff', summary.planId, '--from', '1', '--to', '4'], env);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('Changes r1 → r4: +2 tasks, ~1 task');
    expect(diff.stdout).toContain('  + T4 "Unit tests for greet" (C01_core)');
    expect(diff.stdout).toContain('  + T9 "End-to-end test of the CLI" (C02_cli)');
    expect(diff.stdout).toContain('  ~ T1: title "greet(name) function" → "greet()"');
    const last = await cli(['plan', 'diff', summary.planId, '--json'], env);
    expect(JSON.parse(last.stdout)).toMatchObject({
      from: 3,
      to: 4,
      diff: { tasks: { added: [{ id: 'T9' }] } },
    });

    const usage = await cli(['plan', 'usage', summary.planId], env);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain(
      `LLM usage of plan ${summary.planId}: 6 LLM calls, 6,000 input + 1,200 output tokens`,
    );
    expect(usage.stdout).toMatch(/^PURPOSE +CALLS +INPUT +OUTPUT +CACHE WRITE +CACHE READ +COST$/m);
    expect(usage.stdout).toMatch(/^refine-draft +2 +2,000 +400 /m);
    const usageJson = await cli(['plan', 'usage', summary.planId, '--json'], env);
    expect(JSON.parse(usageJson.stdout)).toMatchObject({ planId: summary.planId, calls: 6 });
  });

  it('interactive: continue planning, a failed quick edit, quick edit, review + apply, cancel — with diffs', async () => {
    const stdin = new PassThrough();
    // Piped answers, one per prompt, all written up front.
    stdin.end(
      [
        'c',
        'add a test task',
        'q',
        'break it',
        'q',
        'rename T1 to greet()',
        'r',
        '2',
        'all',
        'huh',
        'x',
        '',
      ].join('\n'),
    );
    const r = await cli(
      ['plan', 'Greeter CLI', '--repo', repo.path, '--interactive', '--drafts', '2'],
      env,
      stdin,
    );
    if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    const out = r.stdout;
    const id = /^Plan (\S+) stays a draft at revision 4\. Come back to it with:$/m.exec(out)?.[1];
    expect(id).toBeDefined();

    // The plan grouped by chunk, with parallel marks and dependencies, then the menu.
    expect(out).toContain(`Greeter CLI  (${id})`);
    expect(out).toMatch(
      /revision 1 · 1 planning iteration \(last: generate\) · 1 LLM call, 1,000 input \+ 200 output tokens/,
    );
    expect(out).toContain('C02_cli — Command line  [parallel]');
    expect(out).toMatch(/^ {2}T2 +∥ +CLI entry point +T1$/m);
    expect(out).toContain('  [c] continue planning');
    expect(out).toContain('  [x] cancel');
    // Each answer is echoed after its prompt.
    expect(out).toContain(
      '> c\nContinue planning — what should change? (empty to go back)\n> add a test task\n',
    );

    // After each turn: what it did and the diff from the previous revision.
    expect(out).toContain(
      'Continue planning → revision 2\n  summary: added T4 (unit tests)\n  judge: draft 1 is the most direct',
    );
    expect(out).toContain('Changes r1 → r2: +1 task\n  + T4 "Unit tests for greet" (C01_core)');
    expect(out).toContain('Quick edit → revision 3\n  summary: renamed T1');
    expect(out).toContain('Changes r2 → r3: ~1 task\n  ~ T1: title "greet(name) function" → "greet()"');
    expect(out).toMatch(/revision 3 · 3 planning iterations \(last: quick edit\)/);

    // The failed turn: explained on stderr, nothing written, and the menu came back.
    expect(r.stderr).toContain(
      "error: the model's output was invalid even after a repair turn; nothing was written — try again",
    );
    expect(r.stderr).toMatch(/ {2}- .*T404/);

    // The review: numbered suggestions with kind, reasoning and what would change; then applied.
    expect(out).toContain('  2. add what is missing (add_missing)');
    expect(out).toMatch(/Review: add what is missing \(set set_\w+, against revision 3\) — 1 suggestion/);
    expect(out).toContain(
      '  1. [s1] add_task\n     why: Nothing checks the command end to end\n     + T9 "End-to-end test of the CLI" in C02_cli (depends on T2)',
    );
    expect(out).toContain('Apply which? (numbers like 1,3 · all · none) [none]: all\n');
    expect(out).toContain(
      'Applied s1 → revision 4\nChanges r3 → r4: +1 task\n  + T9 "End-to-end test of the CLI" (C02_cli)',
    );
    expect(out).toContain('"huh"? Choose c, q, r, s, f or x (? for help).');
    expect(out).toContain('[c]ontinue planning · [q]uick edit · [r]eview');
    expect(out).toContain(`  chunkwise plan --plan ${id}`);

    // Progress lines went to stderr.
    expect(r.stderr).toContain('quick edit: failed');
    expect(r.stderr).toContain('reviewing: add what is missing: done');

    const plan = await getJson<PlanDetail>(`${api.url}/api/plans/${id}`);
    expect(plan).toMatchObject({
      status: 'draft',
      revision: 4,
      planningIterations: 3,
      lastPlanningMode: 'single',
    });
  });

  it('interactive: suggestions made stale by a concurrent change are explained, with an offer to review again', async () => {
    const stdin = new PassThrough();
    const io = memoryIo();
    const deps: PlanDeps = { io, env, stdin };
    const running = run(['node', 'chunkwise', 'plan', 'Greeter CLI', '--interactive'], deps);
    const seen = async (text: string) => {
      for (let i = 0; i < 500 && !io.stdout().includes(text); i++)
        await new Promise((r) => setTimeout(r, 20));
      if (!io.stdout().includes(text))
        throw new Error(`never printed: ${text}\n${io.stdout()}\n${io.stderr()}`);
    };
    await seen('> ');
    stdin.write('r\n2\n');
    await seen('Apply which?');
    // Someone adds the task the suggestion proposes, making the plan revision 2.
    const id = /^Greeter CLI {2}\((\S+)\)$/m.exec(io.stdout())![1];
    const added = await fetch(`${api.url}/api/plans/${id}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'T9', chunk: 'C02_cli', title: 'Added by a colleague' }),
    });
    expect(added.status).toBe(201);
    stdin.write('all\n');
    await seen('Review again (add what is missing) for revision 2? [Y/n] ');
    stdin.end('n\nx\n');
    expect(await running).toBe(0);

    expect(io.stderr()).toContain(
      'error: these suggestions no longer apply: the plan changed since the review',
    );
    expect(io.stderr()).toMatch(
      / {2}- suggestion set set_\w+ was made against revision 1, the plan is at 2.*s1 \(task T9 already exists\)/,
    );
    expect(io.stdout()).toContain(`Plan ${id} stays a draft at revision 2.`);
  });

  it('--json without action flags off a terminal: generates, prints the summary, exits 0; the hint without --json', async () => {
    const json = await cli(['plan', 'Greeter CLI', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'draft',
      revision: 1,
      planningIterations: 1,
      turns: [{ action: 'generate' }],
    });

    const stdin = new PassThrough(); // not a TTY: nothing is asked
    const plain = await cli(['plan', 'Greeter CLI'], env, stdin);
    expect(plain.code).toBe(0);
    const id = /^Greeter CLI {2}\((\S+)\)$/m.exec(plain.stdout)![1];
    expect(plain.stdout).toContain('Next:');
    expect(plain.stdout).toContain(`  chunkwise plan --plan ${id} --refine "<feedback>"`);
    expect(plain.stdout).not.toContain('What next?');
  });

  it('--execute finalizes, then reports why the session could not start; --json still gives the summary', async () => {
    const r = await cli(
      ['plan', 'Greeter CLI', '--repo', repo.path, '--execute', '--agent', 'claude-code', '--json'],
      env,
    );
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { planId: string; turns: Array<{ action: string }> };
    expect(summary).toMatchObject({
      status: 'ready',
      revision: 1,
      finalizedRevision: 1,
      error: { status: 503, code: 'temporal_unavailable' },
    });
    expect(summary.turns.map((t) => t.action)).toEqual(['generate', 'finalize']);
    expect(r.stderr).toContain('error: Temporal is not reachable at 127.0.0.1:1');
    expect(r.stderr).toContain(`  - plan ${summary.planId} is ready at revision 1`);
  });

  it('usage errors exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['plan'], /give a description, or --plan <id>/],
      [['plan', 'x', '--plan', 'p1'], /either a description .* or --plan <id>/],
      [
        ['plan', '--plan', 'p1', '--repo', '.'],
        /--title, --repo, --chunks and --depth go with a description/,
      ],
      [['plan', 'x', '--apply', 'all'], /--apply goes right after a --review/],
      [['plan', 'x', '--review', 'everything'], /Allowed choices are refine_descriptions, add_missing/],
      [['plan', 'x', '--drafts', '9'], /expected a number from 2 to 5/],
      [['plan', 'x', '--watch'], /--watch goes with --execute/],
      [['plan', 'x', '--interactive', '--finalize'], /--interactive cannot be combined/],
      [['plan', 'diff'], /missing required argument 'id'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, env);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('chunkwise plan without an LLM configured', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi({});
  });
  afterAll(() => api?.close());

  it('says to set ANTHROPIC_API_KEY (503 llm_unavailable) and writes nothing', async () => {
    const r = await cli(['plan', 'Anything at all'], { CHUNKWISE_API_URL: api.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: Claude is not available: ANTHROPIC_API_KEY is not set');
    expect(r.stderr).toContain('set ANTHROPIC_API_KEY in its environment (or ANTHROPIC_BASE_URL');
    const { plans } = await getJson<{ plans: unknown[] }>(`${api.url}/api/plans`);
    expect(plans).toEqual([]);
  });
});
