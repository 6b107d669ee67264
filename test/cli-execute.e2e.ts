/**
 * End to end: the REAL `chunkwise` command (bin/chunkwise.js → dist/) as child processes, against the
 * real Temporal dev server, real git repositories and the example agent as a real child process.
 *
 *  1. `chunkwise demo`: the whole main job in one command, exit 0 and a complete summary.
 *  2. `chunkwise execute / pause / resume / skip / approve / watch` against `chunkwise up`.
 *
 * Needs the build (`npm run build`; outside CI a missing build is built here first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cleanEnv,
  cli,
  ensureBuilt,
  ROOT,
  startUp,
  stopUp,
  upOnFreePorts,
  type Up,
} from './support/cli-process';
import { git } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);

const AGENT = join(ROOT, 'examples', 'agents', 'scripted-agent.js');
const CHECK = join(ROOT, 'examples', 'agents', 'check.js');

withTemporalCli('test/cli-execute.e2e.ts', () => {
  describe('chunkwise demo', () => {
    let work: string;
    beforeAll(() => {
      ensureBuilt();
      work = mkdtempSync(join(tmpdir(), 'chunkwise-demo-e2e-'));
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('runs the whole main job: stack, scratch repo, plan, live progress, pause and resume, summary; exit 0', async () => {
      const dataDir = join(work, 'data');
      const started = Date.now();
      const r = await cli(['demo', '--data-dir', dataDir], cleanEnv(), 180_000);
      const out = r.stdout;
      if (r.code !== 0) throw new Error(`demo exited ${r.code}\n${out}\n${r.stderr}`);
      expect(Date.now() - started).toBeLessThan(90_000);

      // The stack started, the plan ran live (plain lines off a terminal), paused after the parallel chunk and went on.
      expect(out).toMatch(/^starting Temporal dev server… ok/m);
      expect(out).toMatch(/^starting worker… ok \(pid \d+/m);
      // The retry shows as the first attempt's failure (QA output) or, if polling missed it, as attempt 2.
      expect(out).toMatch(
        /T04_farewell (attempt 1 failed: .*node --check|running: farewell\(name\) \(attempt 2\))/,
      );
      expect(out).toContain('── Paused after C02_features (pauseAfter: true). What changed:');
      expect(out).toContain('The demo resumes the session by itself now');
      expect(out).toMatch(/^\[.*\] resumed$/m);
      expect(out).toContain('session completed: 7/7 tasks completed');

      // The summary: every task completed, one commit per task, duration, the Temporal UI address.
      expect(out).toContain(
        'result       session completed: 7/7 tasks completed (T04_farewell needed 2 attempts)',
      );
      const commits = /^ {2}commits +(\d+) commits on (chunkwise\/\S+)/m.exec(out);
      expect(commits).not.toBeNull();
      expect(Number(commits![1])).toBe(7);
      expect(out).toMatch(
        /^ {2}duration +[\d.]+ (s|min \d+ s) in all, the session itself [\d.]+ (m?s|min \d+ s)$/m,
      );
      const ui =
        /^ {2}Temporal UI +(http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/(\S+))$/m.exec(out);
      expect(ui).not.toBeNull();
      expect(ui![2]).toMatch(/^chunkwise-p_\w+-s_\w+$/);
      expect(out).toMatch(/stopping Temporal dev server… ok/);

      // The scratch repository holds the work: one commit per task, in order, on the session branch.
      const repo = /^ {2}repository +(\S+)$/m.exec(out)![1];
      const branch = commits![2];
      const subjects = git(repo, 'log', '--reverse', '--format=%s', `main..${branch}`).split('\n');
      expect(subjects.map((s) => s.split(':')[0])).toEqual([
        'T01_package',
        'T02_greet',
        expect.stringMatching(/^T0[34]_/),
        expect.stringMatching(/^T0[34]_/),
        'T05_index',
        'T06_cli',
        'T07_readme',
      ]);
      expect(git(repo, 'show', `${branch}:src/farewell.js`)).not.toContain('not javascript');
      expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(existsSync(join(dataDir, 'chunkwise-up.pid'))).toBe(false);
    });
  });

  describe('chunkwise execute / pause / resume / skip / approve / watch against `chunkwise up`', () => {
    let work: string;
    let env: NodeJS.ProcessEnv;
    let api: string;
    let up: Up | undefined;

    beforeAll(async () => {
      ensureBuilt();
      work = mkdtempSync(join(tmpdir(), 'chunkwise-exec-e2e-'));
      const stack = await upOnFreePorts(join(work, 'data'));
      api = stack.api;
      env = cleanEnv({ CHUNKWISE_API_URL: api });
      up = await startUp(stack.args, env);
    });

    afterAll(async () => {
      if (up) await stopUp(up);
      rmSync(work, { recursive: true, force: true });
    });

    async function progress(
      planId: string,
    ): Promise<{ live: boolean; status: string; pauseReason: string | null }> {
      const res = await fetch(`${api}/api/plans/${planId}/progress`);
      return (await res.json()) as { live: boolean; status: string; pauseReason: string | null };
    }

    async function waitFor(
      planId: string,
      what: string,
      until: (p: Awaited<ReturnType<typeof progress>>) => boolean,
    ) {
      const deadline = Date.now() + 60_000;
      let last: unknown;
      while (Date.now() < deadline) {
        last = await progress(planId).catch((e: unknown) => String(e));
        if (typeof last === 'object' && until(last as Awaited<ReturnType<typeof progress>>)) return;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`timed out waiting for ${what}; last progress: ${JSON.stringify(last)}`);
    }

    it('steers a session from the command line with clear answers', async () => {
      const repo = join(work, 'repo');
      execFileSync('mkdir', ['-p', repo]);
      git(repo, 'init', '-q');
      git(repo, 'symbolic-ref', 'HEAD', 'refs/heads/main');
      writeFileSync(join(repo, 'README.md'), '# target\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'initial');
      const planFile = join(work, 'plan.json');
      writeFileSync(
        planFile,
        JSON.stringify({
          title: 'Steered from the CLI',
          repository: repo,
          execution: {
            agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 60 },
            qaGates: [{ name: 'check', argv: [process.execPath, CHECK] }],
          },
          chunks: [
            { key: 'C01_seq', title: 'Sequential' },
            { key: 'C02_man', title: 'Manual', executionMode: 'manual' },
          ],
          tasks: [
            {
              id: 'T1',
              chunk: 'C01_seq',
              title: 'slow',
              description: 'sleep 1500\nwrite a.js exports.a = 1;',
            },
            { id: 'T2', chunk: 'C01_seq', title: 'always fails', description: 'fail 99' },
            { id: 'T3', chunk: 'C02_man', title: 'manual', description: 'write c.js exports.c = 3;' },
          ],
        }),
      );
      const created = await cli(['plans', 'create', '--file', planFile], env);
      expect(created.code).toBe(0);
      const planId = /^created plan (\S+)/m.exec(created.stdout)![1];
      expect((await cli(['plans', 'finalize', planId], env)).code).toBe(0);

      const exec = await cli(['execute', planId, '--max-attempts', '1'], env);
      expect(exec.stderr).toBe('');
      expect(exec.stdout).toMatch(
        new RegExp(`^started session s_\\w+ of plan ${planId} \\(revision 1\\); workflow `, 'm'),
      );

      // Pause while T1 runs: the session pauses at the boundary after T1.
      const pause = await cli(['pause', planId, '--reason', 'coffee'], env);
      expect(pause.code).toBe(0);
      expect(pause.stdout).toContain('accepted: the session pauses once running turns finish');
      await waitFor(planId, 'the pause', (p) => p.status === 'paused' && p.pauseReason === 'user');

      // A rejected update is answered clearly, with exit 1.
      const wrong = await cli(['retry', planId, 'T1'], env);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toMatch(/^rejected: .+/);

      // Resume without naming the plan: the latest resumable one.
      const resumed = await cli(['resume'], env);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain(`resuming the latest resumable plan: ${planId}`);
      expect(resumed.stdout).toMatch(/^accepted: resumed session/m);

      // T2 fails (one attempt allowed): skip it; then approve the manual task; watch to the end.
      await waitFor(planId, 'T2 to fail', (p) => p.status === 'paused' && p.pauseReason === 'task_failed');
      const skip = await cli(['skip', planId, 'T2', '--reason', 'not needed'], env);
      expect(skip).toMatchObject({ code: 0, stdout: 'accepted\n' });
      await waitFor(planId, 'the approval', (p) => p.status === 'paused' && p.pauseReason === 'approval');
      const approve = await cli(['approve', planId, 'T3'], env);
      expect(approve).toMatchObject({ code: 0, stdout: 'accepted\n' });

      const watch = await cli(['watch', planId], env, 90_000);
      expect(watch.stderr).toBe('');
      expect(watch.code).toBe(0);
      expect(watch.stdout.trim().split('\n').at(-1)).toMatch(
        /^session completed: 2\/3 tasks completed, 1 skipped$/,
      );

      // Nothing to resume now; watching a finished session answers at once.
      expect((await cli(['resume'], env)).stderr).toContain(
        'no plan has a paused or stopped session to resume',
      );
      expect((await cli(['watch', planId], env)).code).toBe(0);
    });
  });
});
