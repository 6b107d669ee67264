import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { Command, Option } from 'commander';
import { ApiClient, type SessionProgress } from '../api-client';
import { contextOf, type Context, type Deps } from '../context';
import { demoPlan, type DemoAgent } from '../demo-plan';
import { CliError, EXIT_ERROR, EXIT_OK, ExitCode } from '../errors';
import { formatDuration, step, table, truncate, type Io } from '../output';
import { Interrupted, startStack, type EmbeddedStack } from '../stack';
import { apiSource, watchSession } from '../watch';
import { isTty } from './session';

interface DemoOptions {
  dataDir?: string;
  agent: DemoAgent;
  keep?: boolean;
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Chunkwise demo',
  GIT_AUTHOR_EMAIL: 'demo@chunkwise.localhost',
  GIT_COMMITTER_NAME: 'Chunkwise demo',
  GIT_COMMITTER_EMAIL: 'demo@chunkwise.localhost',
};

/** `chunkwise demo`: the embedded stack, a scratch repository, a three-chunk plan executed live. */
export function demoCommand(deps: Deps): Command {
  return new Command('demo')
    .description(
      'run a demo end to end: start the embedded stack, make a scratch git repository, create a ' +
        'three-chunk plan, execute it live (pausing after the parallel chunk, then resuming), print a ' +
        'summary, and stop the stack',
    )
    .option(
      '--data-dir <dir>',
      'where the demo keeps its stack data and scratch repository (default: a new temporary directory)',
    )
    .addOption(
      new Option('--agent <agent>', 'the agent: the deterministic example agent, or Claude Code (`claude`)')
        .choices(['example', 'claude-code'])
        .default('example'),
    )
    .option('--keep', 'keep the stack running after the summary (Ctrl-C stops it)')
    .action(async (opts: DemoOptions, cmd: Command) => {
      const code = await demo(opts, contextOf(cmd, deps));
      if (code !== EXIT_OK) throw new ExitCode(code);
    });
}

export function onPath(program: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The stack's environment for `--agent claude-code`: `claude` on PATH (the project's pinned copy
 * in node_modules when there is none), and an API key for the worker to hand to it.
 */
function claudeCodeEnv(env: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv {
  if (!env.ANTHROPIC_API_KEY) {
    throw new CliError('--agent claude-code needs ANTHROPIC_API_KEY in the environment, and it is not set', [
      'export ANTHROPIC_API_KEY=… (and ANTHROPIC_BASE_URL to use another Messages API endpoint)',
    ]);
  }
  if (onPath('claude', env)) return env;
  // The platform package's native binary first: the bin link is a placeholder until the package's
  // postinstall ran (npm may skip dependencies' install scripts).
  const pinned = [
    join(root, 'node_modules', '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`),
    join(root, 'node_modules', '.bin'),
  ].find((dir) => onPath('claude', { PATH: dir }));
  if (pinned) return { ...env, PATH: `${pinned}${delimiter}${env.PATH ?? ''}` };
  throw new CliError('--agent claude-code needs the `claude` CLI on PATH, and it is not there', [
    'install Claude Code (https://docs.anthropic.com/en/docs/claude-code) or run `npm ci` here, or run `chunkwise demo` with the example agent',
  ]);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_IDENTITY },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trimEnd();
}

/** A fresh git repository with one commit on `main`. */
function makeScratchRepo(dataDir: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const repo = join(dataDir, `demo-repo-${stamp}-${process.pid}`);
  mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q');
  git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  writeFileSync(join(repo, 'README.md'), '# greeter\n\nA scratch repository made by `chunkwise demo`.\n');
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'Initial commit');
  return repo;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function demo(opts: DemoOptions, ctx: Context): Promise<number> {
  const { io } = ctx;
  const began = Date.now();
  const { findProjectRoot } = await import('@chunkwise/temporal');
  const root = findProjectRoot();
  const env = opts.agent === 'claude-code' ? claudeCodeEnv(ctx.env, root) : ctx.env;
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'chunkwise-demo-')));
  mkdirSync(dataDir, { recursive: true });

  io.out(
    [
      'Chunkwise demo',
      `  A scratch git repository, a plan of three chunks (sequential; parallel with a pause after it;`,
      `  sequential), executed by ${opts.agent === 'claude-code' ? `Claude Code (${env.ANTHROPIC_BASE_URL ? `the API at ${env.ANTHROPIC_BASE_URL}` : 'the Anthropic API'})` : 'the deterministic example agent (examples/agents/scripted-agent.js)'}`,
      `  with a QA gate after every task (examples/agents/check.js), one commit per task.`,
      `  Data: ${dataDir}`,
      '',
    ].join('\n'),
  );

  let signal: NodeJS.Signals | undefined;
  let stack: EmbeddedStack | undefined;
  let failure: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal) process.exit(EXIT_ERROR);
    signal = sig;
    io.err(`\n${sig} received, stopping the demo…`);
    // Starting: the next checkpoint stops. Running: stop everything now and leave.
    if (stack) void stack.stop(true).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stack = await startStack({
      dataDir,
      port: 0,
      temporal: true,
      worker: true,
      anyPorts: true,
      env,
      io,
      interrupted: () => Boolean(signal),
      onFailure: (message) => {
        failure = message;
        io.err(`error: ${message}`);
      },
    });
    if (!stack.worker)
      throw new CliError(`the worker is not running (${stack.workerNote}); the demo cannot execute anything`);
    const code = await runDemo(stack, opts, ctx, root, began, () => failure);
    if (opts.keep && code === EXIT_OK) await keepRunning(stack, io, () => Boolean(signal));
    return code;
  } catch (err) {
    if (err instanceof Interrupted) return 130;
    throw err;
  } finally {
    if (stack && !signal) {
      io.out('');
      await stack.stop(false);
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

async function keepRunning(stack: EmbeddedStack, io: Io, stopped: () => boolean): Promise<void> {
  io.out(
    [
      '',
      'The stack keeps running (--keep):',
      ...table(
        stack.rows().slice(0, 4),
        [
          { header: '', value: (r) => r[0] },
          { header: '', value: (r) => r[1] },
        ],
        '  ',
      ).slice(1),
      `Use it with: chunkwise --api ${stack.api.baseUrl} plans list`,
      `Press Ctrl-C to stop (pid ${process.pid}).`,
    ].join('\n'),
  );
  while (!stopped()) await sleep(250);
}

async function runDemo(
  stack: EmbeddedStack,
  opts: DemoOptions,
  ctx: Context,
  root: string,
  began: number,
  failure: () => string | undefined,
): Promise<number> {
  const { io } = ctx;
  const client = new ApiClient({ url: stack.api.baseUrl, token: stack.config.apiToken });
  const api = `chunkwise --api ${stack.api.baseUrl}`;

  const repo = await step(
    io,
    'making a scratch git repository',
    async () => makeScratchRepo(stack.config.dataDir),
    (r) => r,
  );
  const document = demoPlan({
    repository: repo,
    agent: opts.agent,
    node: process.execPath,
    agentScript: join(root, 'examples', 'agents', 'scripted-agent.js'),
    checkScript: join(root, 'examples', 'agents', 'check.js'),
  });
  const created = await step(
    io,
    'creating the demo plan',
    () => client.createPlan({ format: 'json', document }),
    (r) => r.id,
  );
  const planId = created.id;
  await step(
    io,
    'finalizing it',
    () => client.finalizePlan(planId),
    (r) => `revision ${r.revision}`,
  );
  const plan = await client.getPlan(planId);
  io.out('');
  for (const c of plan.chunks) {
    io.out(
      `  ${c.key}  ${c.title} [${c.executionMode}${c.pauseAfter ? ', pause after' : ''}]: ` +
        c.tasks.map((t) => t.id).join(', '),
    );
  }
  io.out('');

  const started = await step(
    io,
    'starting the session',
    () => client.execute(planId, { from: 'beginning' }),
    (s) => `session ${s.sessionId}`,
  );
  let workflowId = started.workflowId;
  const uiBase = stack.temporal?.uiUrl;
  const namespace = stack.temporal?.namespace ?? 'default';
  const dashboardRun = `${stack.api.dashboardUrl}plans/${encodeURIComponent(planId)}/run`;
  const uiUrl = (id: string) =>
    uiBase ? `${uiBase}/namespaces/${namespace}/workflows/${encodeURIComponent(id)}` : '(no Temporal UI)';
  io.out(`  watch it in the dashboard:   ${dashboardRun}`);
  io.out(`  watch it in the Temporal UI: ${uiUrl(workflowId)}\n`);

  const tty = isTty(ctx);
  const result = await watchSession(apiSource(client, planId), {
    planId,
    io,
    tty,
    width: process.stdout.columns ? process.stdout.columns - 1 : undefined,
    title: 'demo',
    pollMs: 300,
    onPause: async (p) => {
      if (failure()) throw new CliError(failure()!);
      if (p.pauseReason !== 'chunk_completed') {
        throw new CliError(
          `the demo session paused unexpectedly (${p.pauseReason ?? 'user'})${p.pauseDetail ? `: ${p.pauseDetail}` : ''}`,
          [`inspect it with --keep and: ${api} watch ${planId}`],
        );
      }
      io.out(['', ...whatChanged(p, repo), ''].join('\n'));
      io.out(
        `The demo resumes the session by itself now (in your own runs: \`chunkwise resume ${planId}\`).\n`,
      );
      await sleep(tty ? 2_000 : 200);
      const answer = await client.resume(planId);
      workflowId = answer.workflowId;
      io.out(`${answer.action} session ${answer.sessionId}\n`);
    },
  });

  // The summary, from the read model once it has caught up with the end of the session.
  let detail = await client.getPlan(planId);
  for (let i = 0; i < 50 && detail.status === 'running'; i++) {
    await sleep(100);
    detail = await client.getPlan(planId);
  }
  const history = await client.getHistory(planId);
  const completedEvent = history.entries.filter((e) => e.type === 'ExecutionCompleted').at(-1);
  const sessionMs = (completedEvent?.data as { durationMs?: number } | undefined)?.durationMs;
  const branch = result.last?.branch;
  const commits = branch ? gitLines(repo, 'log', '--reverse', '--format=%h %s', `main..${branch}`) : [];
  const shortstat = branch ? gitLines(repo, 'diff', '--shortstat', `main..${branch}`)[0]?.trim() : undefined;
  const tasks = detail.chunks.flatMap((c) => c.tasks);
  const done = tasks.filter((t) => t.status === 'completed').length;
  const retried = tasks.filter((t) => t.attempts > 1);

  const lines = [
    '',
    'Summary',
    `  result       session ${result.end}: ${done}/${tasks.length} tasks completed` +
      (retried.length ? ` (${retried.map((t) => `${t.id} needed ${t.attempts} attempts`).join(', ')})` : ''),
    `  tasks`,
    ...table(
      tasks,
      [
        { header: 'TASK', value: (t) => t.id },
        { header: 'STATUS', value: (t) => t.status },
        { header: 'ATTEMPTS', value: (t) => String(t.attempts), align: 'right' },
        { header: 'COMMIT', value: (t) => (t.commitSha ?? '-').slice(0, 10) },
        { header: 'TITLE', value: (t) => t.title, max: 40 },
      ],
      '    ',
    ),
    `  commits      ${commits.length} commits on ${branch ?? '(no branch)'}${shortstat ? ` (${shortstat})` : ''}`,
    ...commits.map((c) => `    ${truncate(c, 100)}`),
    `  duration     ${formatDuration(Date.now() - began)} in all` +
      (sessionMs !== undefined ? `, the session itself ${formatDuration(sessionMs)}` : ''),
    `  repository   ${repo}`,
    `               git -C ${repo} log --stat ${branch ?? ''}`.trimEnd(),
    `  dashboard    ${dashboardRun}`,
    `  Temporal UI  ${uiUrl(workflowId)}`,
    opts.keep
      ? '               (the stack keeps running: --keep)'
      : '               (live while the stack runs: `chunkwise demo --keep` keeps it running)',
    `  history      ${api} plans history ${planId}`,
  ];
  io.out(lines.join('\n'));
  const ok = result.end === 'completed' && done === tasks.length;
  if (!ok) io.err(`error: the demo session ended ${result.end} with ${done}/${tasks.length} tasks completed`);
  return ok ? EXIT_OK : EXIT_ERROR;
}

function gitLines(cwd: string, ...args: string[]): string[] {
  try {
    return git(cwd, ...args)
      .split('\n')
      .filter((l) => l.trim());
  } catch {
    return [];
  }
}

/** What the chunk that just completed changed: the pause report, then each commit with its files. */
function whatChanged(p: SessionProgress, repo: string): string[] {
  const chunk = p.chunks.filter((c) => c.status === 'completed' && c.pauseAfter).at(-1);
  const lines = [`── Paused after ${chunk?.key ?? 'a chunk'} (pauseAfter: true). What changed:`];
  if (p.pauseDetail) lines.push(...p.pauseDetail.split('\n').map((l) => `  ${l}`));
  const shas = p.tasks.filter((t) => t.chunk === chunk?.key && t.commitSha).map((t) => t.commitSha!);
  for (const sha of shas) {
    const show = gitLines(repo, 'show', '--stat', '--format=%h %s', sha);
    lines.push(...show.map((l, i) => (i === 0 ? `  ${l}` : `    ${l.trim()}`)));
  }
  if (p.currentChunk) {
    const next = p.chunks.find((c) => c.key === p.currentChunk);
    lines.push(`  next: ${p.currentChunk}${next ? ` — ${next.title} (${next.total} tasks)` : ''}`);
  }
  return lines;
}
