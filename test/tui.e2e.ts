/**
 * End to end: `chunkwise tui` (the built CLI) in a real terminal — tmux, driven by send-keys and read
 * by capture-pane — against the real stack (`chunkwise up`: the API, the worker, the Temporal dev
 * server), a real git repository with the example agent as its agent, and FakeAnthropic (a local
 * Messages-API server) playing the planning model. One user journey:
 *
 *   generate → continue planning → quick edit → review and apply → finalize → pick a range in the
 *   chunk browser → execute → pause → resume → completed
 *
 * Each screen is printed as the test reaches it. Needs tmux (skipped with a message when missing,
 * failed under CI=true) and the build (built here first when stale, as the other CLI suites do).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inCi } from './support/ci';
import {
  BIN,
  cleanEnv,
  ensureBuilt,
  ROOT,
  startUp,
  stopUp,
  upOnFreePorts,
  type Up,
} from './support/cli-process';
import { FakeAnthropic, type FakeReply, type FakeRequest } from './support/fake-anthropic';
import { currentPlan, type PlanDoc } from './support/planning-model';
import { git } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(300_000);

const TMUX = '/usr/bin/tmux';
const AGENT = join(ROOT, 'examples', 'agents', 'scripted-agent.js');
const CHECK = join(ROOT, 'examples', 'agents', 'check.js');
const run = promisify(execFile);
/** An SGR sequence that sets a foreground colour (30-37, 90-97, 38;…). */
const FOREGROUND_COLOUR = new RegExp(String.raw`\u001b\[(?:\d+;)*(?:3[0-7]|9[0-7]|38)(?:;[\d;]*)?m`);

// ---- the model: a plan whose task descriptions the example agent follows -----------------------

const task = (id: string, chunk: string, title: string, directive: string, dependsOn: string[] = []) => ({
  id,
  chunk,
  title,
  description: `${title}.\n${directive}`,
  acceptance: [`${title} works`],
  dependsOn,
  canRunInParallel: false,
});

const FIRST_PLAN: PlanDoc = {
  title: 'Greeter',
  description: 'A greeting command',
  chunks: [
    { key: 'C01_core', title: 'Core', description: 'the library', executionMode: 'sequential' },
    { key: 'C02_cli', title: 'Command line', description: 'the binary', executionMode: 'sequential' },
    { key: 'C03_docs', title: 'Docs', description: 'the manual', executionMode: 'sequential' },
  ],
  tasks: [
    // The pause lands while T1 runs: the agent takes a moment.
    task(
      'T1',
      'C01_core',
      'greet(name) function',
      "sleep 3000\nwrite greet.js exports.greet = (n) => 'Hello ' + n;",
    ),
    task(
      'T2',
      'C02_cli',
      'CLI entry point',
      "write cli.js console.log(require('./greet.js').greet('you'));",
      ['T1'],
    ),
    task('T3', 'C03_docs', 'Manual page', 'write MANUAL.md # greeter', ['T2']),
  ],
};

const prompt = (req: FakeRequest) => String(req.body.messages[0].content);
const tool = (name: string, input: unknown): FakeReply => ({
  content: [{ type: 'tool_use', name, input }],
  usage: { input_tokens: 1000, output_tokens: 200 },
});

function model(req: FakeRequest): FakeReply {
  const name = req.body.tools[0].name as string;
  if (name === 'submit_plan') return tool(name, FIRST_PLAN);
  if (name === 'submit_judgement')
    return tool(name, { decision: 'pick', pickedDraft: 1, rationale: 'draft 1 is direct', merged: null });
  if (name === 'submit_suggestions') {
    return tool(name, {
      suggestions: [
        {
          id: 'whatever',
          kind: 'add_task',
          reasoning: 'Nothing checks the command end to end',
          before: null,
          after: { task: task('T9', 'C02_cli', 'End-to-end check', 'write e2e.txt ok', ['T2']) },
        },
      ],
    });
  }
  if (name === 'submit_revision') {
    const plan = currentPlan(req);
    const feedback = prompt(req);
    if (feedback.includes('add a test task')) {
      plan.tasks.splice(
        1,
        0,
        task('T4', 'C01_core', 'Unit test for greet', "write test/greet.test.js require('../greet.js');", [
          'T1',
        ]),
      );
      return tool(name, { ...plan, summary: 'added T4 (unit test)' });
    }
    if (feedback.includes('rename T1')) {
      plan.tasks[0] = { ...plan.tasks[0], title: 'greet()' };
      return tool(name, { ...plan, summary: 'renamed T1' });
    }
  }
  throw new Error(`the scripted model has no answer for ${name}: ${prompt(req).slice(0, 200)}`);
}

// ---- the terminal -------------------------------------------------------------------------------

/** A tmux server of its own (-L), without any user configuration; argv arrays only. */
class Terminal {
  private readonly socket = `chunkwise-tui-e2e-${process.pid}-${Date.now()}`;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  tmux(...args: string[]): Promise<string> {
    return run(TMUX, ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.env }).then(
      (r) => r.stdout,
    );
  }

  private argv: string[] = [];
  private readonly exitFile = join(tmpdir(), `${this.socket}.exit`);

  /**
   * The program runs under a small Node parent that records its exit (`status=<code> signal=<sig>`)
   * in a file: tmux 3.3 leaves a program that switched the terminal to raw mode unreaped (a zombie
   * whose status it never reports), so the pane's own exit status cannot be relied on.
   */
  private wrapped(argv: string[]): string[] {
    const recorder =
      "const { spawnSync } = require('node:child_process');" +
      'const [file, ...args] = process.argv.slice(1);' +
      "const r = spawnSync(file, args, { stdio: 'inherit' });" +
      "require('node:fs').writeFileSync(process.env.CW_TUI_EXIT_FILE, `status=${r.status ?? ''} signal=${r.signal ?? ''}`);" +
      // No ';' at the end: tmux reads an argument ending in ';' as its own command separator.
      'process.exit(0)';
    return [process.execPath, '-e', recorder, '--', ...argv];
  }

  async start(argv: string[]): Promise<void> {
    this.argv = argv;
    rmSync(this.exitFile, { force: true });
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      'tui',
      '-x',
      '80',
      '-y',
      '24',
      '-e',
      `CW_TUI_EXIT_FILE=${this.exitFile}`,
      ...this.wrapped(argv),
    );
    await this.tmux('set-option', '-t', 'tui', 'remain-on-exit', 'on');
  }

  /** Runs the command again in the (dead) pane. */
  async restart(): Promise<void> {
    rmSync(this.exitFile, { force: true });
    await this.tmux(
      'respawn-pane',
      '-k',
      '-t',
      'tui',
      '-e',
      `CW_TUI_EXIT_FILE=${this.exitFile}`,
      ...this.wrapped(this.argv),
    );
  }

  /** Waits for the program to end: `1 status=<code> signal=<signal>` (printed with the screen). */
  async exited(step: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let result = '';
    while (Date.now() < deadline) {
      result = existsSync(this.exitFile) ? readFileSync(this.exitFile, 'utf8') : '';
      if (result) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    const pane = `${result ? 1 : 0} ${result || 'still running'}`;
    console.log(`── ${step} ──\n${pane}\n${await this.screen()}`);
    return pane;
  }

  screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', 'tui');
  }

  /** The screen with its attributes as escape sequences (bold, inverse, colours). */
  rawScreen(): Promise<string> {
    return this.tmux('capture-pane', '-e', '-p', '-t', 'tui');
  }

  /** Keys by tmux name (Enter, Down, Space…). */
  async keys(...names: string[]): Promise<void> {
    for (const name of names) await this.tmux('send-keys', '-t', 'tui', name);
  }

  /** Text, typed literally. */
  type(text: string): Promise<string> {
    return this.tmux('send-keys', '-t', 'tui', '-l', text);
  }

  /** Polls the screen until `pattern` shows (the screen is printed), or fails with the last screen. */
  async waitFor(step: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (pattern.test(screen)) {
        console.log(`── ${step} ──\n${screen}`);
        return screen;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${step}: ${pattern} did not show within ${timeoutMs} ms; the screen:\n${screen}`);
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}

function tmuxAvailable(): string | null {
  if (!existsSync(TMUX)) return `${TMUX} is missing`;
  try {
    execFileSync(TMUX, ['-V'], { stdio: 'ignore' });
    return null;
  } catch (err) {
    return `${TMUX} -V failed: ${(err as Error).message}`;
  }
}

const missingTmux = tmuxAvailable();

if (missingTmux) {
  if (inCi) {
    test('tmux is installed', () => {
      throw new Error(`CI=true and tmux is not usable: ${missingTmux}`);
    });
  } else {
    console.warn(`SKIPPING test/tui.e2e.ts: ${missingTmux} (install tmux to run the terminal UI end to end)`);
    test.skip('chunkwise tui in tmux (no tmux)', () => undefined);
  }
} else {
  withTemporalCli('test/tui.e2e.ts', () => {
    describe('chunkwise tui in a real terminal against the real stack', () => {
      let work: string;
      let fake: FakeAnthropic;
      let up: Up | undefined;
      let api: string;
      let term: Terminal | undefined;
      let repoId: string;
      let repo: string;

      beforeAll(async () => {
        ensureBuilt();
        work = mkdtempSync(join(tmpdir(), 'chunkwise-tui-e2e-'));
        fake = await FakeAnthropic.start();
        fake.respondWith(model);
        const stack = await upOnFreePorts(join(work, 'data'));
        api = stack.api;
        const env = cleanEnv({
          CHUNKWISE_API_URL: api,
          ANTHROPIC_BASE_URL: fake.url,
          ANTHROPIC_API_KEY: 'test-key',
          CHUNKWISE_LLM_MAX_RETRIES: '0',
        });
        up = await startUp(stack.args, env);

        // The target repository, registered with the example agent and its QA gate as defaults.
        repo = join(work, 'repo');
        mkdirSync(repo);
        git(repo, 'init', '-q');
        git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/main');
        writeFileSync(join(repo, 'README.md'), '# greeter\n');
        git(repo, 'add', '.');
        git(repo, 'commit', '-q', '-m', 'initial');
        const res = await fetch(`${api}/api/repositories`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            path: repo,
            name: 'greeter',
            defaults: {
              agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 60 },
              qaGates: [{ name: 'check', argv: [process.execPath, CHECK], timeoutSec: 60 }],
              maxAttempts: 2,
            },
          }),
        });
        if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
        repoId = ((await res.json()) as { id: string }).id;

        // NO_COLOR (cleanEnv sets it) and 80×24: the smallest terminal the UI is made for.
        // Without CI: Ink draws only the last frame when CI is set (is-in-ci), and the terminal's
        // styles follow it too; this terminal is an interactive one whatever the runner's setting.
        const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...interactive } = env;
        term = new Terminal({ ...interactive, TERM: 'xterm-256color' });
        await term.start([process.execPath, BIN, 'tui', '--repo', `repo:${repoId}`, '--drafts', '2']);
      });

      afterAll(async () => {
        await term?.close();
        if (up) await stopUp(up);
        await fake?.close();
        if (work) rmSync(work, { recursive: true, force: true });
      });

      it('plans, reviews, finalizes, runs a chunk range, pauses and resumes to completion', async () => {
        const t = term!;
        await t.waitFor('start: the plan list', /No plans yet: n describes a new one\./);

        // Generate: the description, then the review modal on revision 1.
        await t.keys('n');
        await t.waitFor('new plan dialog', /New plan — what should be built\?/);
        await t.type('Greeter: a command that greets people');
        await t.keys('Enter');
        let screen = await t.waitFor('generated: the review modal', /revision 1 · 1 planning iteration\b/);
        expect(screen).toContain('Plan review — Greeter: a command that greets people');
        expect(screen).toMatch(/C01_core — Core {2}\[sequential\] {2}0\/1 done/);
        expect(screen).toContain('[c: Continue planning]');
        expect(screen).toContain(
          'keys: ↑↓ tasks · Enter details · Tab/←→ actions · c q r f x: the actions below',
        );

        // Task details.
        await t.keys('Enter');
        screen = await t.waitFor('task details', /Acceptance/);
        expect(screen).toContain('T1 — greet(name) function');
        expect(screen).toContain('Depends on');
        await t.keys('Escape');
        await t.waitFor('back to the review', /Plan review/);

        // Continue planning (multi: 2 drafts and a judge) → revision 2, T4 marked as changed.
        await t.keys('c');
        await t.waitFor('continue planning dialog', /Continue planning \(drafts in parallel, then a judge\)/);
        await t.type('add a test task');
        await t.keys('Enter');
        screen = await t.waitFor(
          'after continue planning',
          /revision 2 · 2 planning iterations \(last: continue planning\)/,
        );
        expect(screen).toContain('changed r1 → r2: 1 marked *');
        expect(screen).toMatch(/\* T4 {2}Unit test for greet/);
        // NO_COLOR: no colour at all on screen (bold and inverse stay); the change is marked by `*`.
        const raw = await t.rawScreen();
        expect(raw).toContain('\x1b[');
        expect(raw).not.toMatch(FOREGROUND_COLOUR);

        // Quick edit (single) → revision 3.
        await t.keys('q');
        await t.waitFor('quick edit dialog', /Quick edit \(one direct edit\) — feedback:/);
        await t.type('rename T1 to greet()');
        await t.keys('Enter');
        screen = await t.waitFor(
          'after quick edit',
          /revision 3 · 3 planning iterations \(last: quick edit\)/,
        );
        expect(screen).toMatch(/\* T1 {2}greet\(\)/);

        // Review: the type, the scope (the whole plan), pick the suggestion, apply → revision 4.
        await t.keys('r');
        await t.waitFor('review type', /Review — which kind\?/);
        await t.keys('2');
        await t.waitFor('review scope', /which scope\?/);
        await t.keys('Enter');
        screen = await t.waitFor(
          'suggestions',
          /1 suggestion \(add what is missing\) — pick the ones to apply/,
        );
        expect(screen).toContain('Nothing checks the command end to end');
        await t.keys('Space');
        await t.waitFor('suggestion picked', /\[x\] \+ T9/);
        await t.keys('Enter');
        screen = await t.waitFor('applied', /revision 4 · /);
        expect(screen).toMatch(/\* T9 {2}End-to-end check/);

        // Finalize and execute: the chunk browser.
        await t.keys('f');
        screen = await t.waitFor('finalized: the chunk browser', /plan p_\w+ · revision 4 · active/);
        expect(screen).toContain('no live session · plan ready');
        expect(screen).toMatch(/› [·▶] C01_core/);
        expect(screen).toContain('Selection: all chunks');

        // A range from two picks, the later chunk first: written bottom-top.
        await t.keys('Down', 'Enter');
        await t.waitFor('first pick', /Selection: C02 {2}\(pick another chunk for a range\)/);
        await t.keys('Up', 'Enter');
        await t.waitFor('range picked', /Selection: C01-C02/);

        // Execute; pause while T1 runs; the session pauses at the boundary (resumable).
        await t.keys('x');
        screen = await t.waitFor('executing', /running T1 greet\(\)/);
        expect(screen).toMatch(/session s_\w+ running/);
        expect(screen).toMatch(/- C03_docs .*not in session/);
        await t.keys('p');
        screen = await t.waitFor('paused', /paused \(user\)/);
        expect(screen).toContain('resumable');

        // Leave while paused; start again without a plan: the latest resumable plan comes first,
        // and r resumes it (resume defaults to the latest resumable plan session).
        await t.keys('q');
        expect(await t.exited('quit while paused')).toBe('1 status=0 signal=');
        await t.restart();
        screen = await t.waitFor(
          'restarted: the plan list',
          /resumable: Greeter: a command that greets people/,
        );
        expect(screen).toMatch(/› p_\w+ {2}paused/);
        await t.keys('r');
        screen = await t.waitFor('completed', /plan completed|session s_\w+ completed/, 120_000);
        expect(screen).toMatch(/· C03_docs .* 0\/1 {2}pending/);
        expect(screen).toMatch(/✓ C01_core .* 2\/2 {2}completed/);
        expect(screen).toMatch(/✓ C02_cli .* 2\/2 {2}completed/);

        // The work is on the session branch: one commit per task of the range, C03 not run.
        const branches = git(repo, 'branch', '--list', 'chunkwise/*', '--format=%(refname:short)').split(
          '\n',
        );
        expect(branches).toHaveLength(1);
        const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${branches[0]}`).split('\n');
        expect(subjects.map((s) => s.split(':')[0])).toEqual(['T1', 'T4', 'T2', 'T9']);

        // A resize redraws: wider bars at 120 columns.
        await t.tmux('resize-window', '-t', 'tui', '-x', '120', '-y', '30');
        await t.waitFor('resized to 120×30', /✓ C01_core █{20} +2\/2/);

        // q leaves the UI (and the alternate screen), exit 0.
        await t.keys('q');
        expect(await t.exited('quit')).toBe('1 status=0 signal=');
      });
    });
  });
}
