/**
 * The web dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * embedded stack: the Temporal dev server from the provisioned CLI, a compiled worker as a child
 * process (dist/), the API from startApi serving the built dashboard (dist/web) and the REST API on
 * one origin, a SQLite event store shared by both, a real git repository, the example command agent
 * (examples/agents/scripted-agent.js) as a real child process, and FakeAnthropic playing Claude.
 *
 * The UI is driven by role and accessible name only, as written in the dashboard contract
 * (WEB-CONTRACT.md, "Accessible names"). Every step saves a screenshot into a folder printed at the
 * start; every page gets an axe-core scan (no serious or critical violation allowed).
 *
 * Needs `npm run setup` (Temporal CLI, dist/, dist/web) and Chromium at /usr/bin/chromium
 * (CHUNKWISE_CHROMIUM overrides). Under CI=true a missing piece fails the suite; otherwise it skips
 * with the reason printed.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Route } from 'playwright-core';
import { loadConfig } from '@chunkwise/config';
import { startTemporalDevServer, type TemporalDevServer } from '@chunkwise/temporal';
import { startApi, type RunningApi } from '../apps/api/src/app.factory';
import { dashboardDir } from '../apps/api/src/web/dashboard';
import {
  A11yAudit,
  chromiumUnavailable,
  collectPageProblems,
  expectInsideViewport,
  launchBrowser,
  pageWidth,
  Screens,
  selectOptionMatching,
} from './support/browser';
import { inCi } from './support/ci';
import { FakeAnthropic, type FakeReply, type FakeRequest } from './support/fake-anthropic';
import { currentPlan, type PlanDoc } from './support/planning-model';
import {
  formatLatencies,
  installStatusObserver,
  latencies,
  statusSightings,
  watchTaskTitles,
  type RecordedEvent,
} from './support/live-status';
import { git, makeRepo } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';
import { makeTempDir } from './support/temp-dir';
import { assertWorkerBuilt, ROOT, WorkerProcess } from './support/worker-process';

const SUITE = 'test/web-dashboard.e2e.ts';
const AGENT_SCRIPT = resolve(ROOT, 'examples', 'agents', 'scripted-agent.js');
/** Bounded waits: generous for a shared 2-core machine, never endless. */
const UI_MS = 30_000;
const RUN_MS = 120_000;
/** The contract's bound: a task's status change shows within a second of its event. */
const LIVE_BOUND_MS = 1000;
/** A single change may lag behind (a GC pause or a busy core on a 2-core CI machine), never by this much. */
const LIVE_CAP_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- prerequisites -------------------------------------------------------------------------------

/** What is missing for this suite (besides the Temporal CLI, checked by withTemporalCli). */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const index = join(dashboardDir(), 'index.html');
  if (!existsSync(index))
    missing.push(`the dashboard is not built (${index} is missing): run \`npm run setup\``);
  try {
    assertWorkerBuilt();
  } catch (e) {
    missing.push(e instanceof Error ? e.message : String(e));
  }
  const chromium = chromiumUnavailable();
  if (chromium) missing.push(chromium);
  return missing;
}

// ---- the scripted model --------------------------------------------------------------------------

const PLAN_TITLE = 'Greeting service';
const CHUNK_CORE = 'Core work';
const CHUNK_DOCS = 'Documentation';
const T1 = 'Write the greeting file';
const T2 = 'Flaky greeting check';
const T3 = 'Write the usage notes';
const T3_RENAMED = 'Write the usage guide';
const T4 = 'Add a changelog entry';
/** What the user types into the editor for T1 (a directive the agent follows: slow, then a file). */
const T1_EDITED = 'sleep 6000\nwrite src/greeting.txt Hello from the dashboard';
/** What the user types in "Edit and retry" for T2 (the original description always fails). */
const T2_FIXED = 'write src/check.txt checked after the fix';
const CONCURRENT_ACCEPTANCE = ['docs/usage.md explains the flags (changed through the API)'];
const FEEDBACK = 'Please rename the usage notes task to "Write the usage guide".';

const task = (id: string, chunk: string, title: string, description: string) => ({
  id,
  chunk,
  title,
  description,
  acceptance: [`${title}: done`],
  dependsOn: [],
  canRunInParallel: false,
});

const FIRST_PLAN: PlanDoc = {
  title: PLAN_TITLE,
  description: 'A greeting and its documentation',
  chunks: [
    { key: 'core', title: CHUNK_CORE, description: 'the code', executionMode: 'sequential' },
    { key: 'docs', title: CHUNK_DOCS, description: 'the docs', executionMode: 'sequential' },
  ],
  tasks: [
    task('T1', 'core', T1, 'Create src/greeting.txt with a friendly greeting.'),
    task('T2', 'core', T2, 'fail 99'),
    task('T3', 'docs', T3, 'write docs/usage.md How to use the greeting'),
  ],
};

const toolOf = (r: FakeRequest): string => r.body.tools?.[0]?.name;
const tool = (name: string, input: unknown, delayMs = 0): FakeReply => ({
  content: [{ type: 'tool_use', name, input }],
  stopReason: 'tool_use',
  usage: { input_tokens: 1200, output_tokens: 300 },
  delayMs,
});

/** Claude, scripted: a first plan, a review that adds a changelog task, a refinement that renames T3. */
function model(req: FakeRequest): FakeReply {
  const name = toolOf(req);
  // Delays keep the "working" status on screen long enough to be seen.
  if (name === 'submit_plan') return tool(name, FIRST_PLAN, 1500);
  if (name === 'submit_suggestions') {
    const plan = currentPlan(req);
    const docs = plan.chunks.find((c) => c.title === CHUNK_DOCS)!.key;
    return tool(
      name,
      {
        suggestions: [
          {
            id: 'changelog',
            kind: 'add_task',
            reasoning: 'A release needs a changelog line, and nothing in the plan writes one.',
            before: null,
            after: { task: task('T4', docs, T4, 'write CHANGELOG.md - added the greeting') },
          },
        ],
      },
      1000,
    );
  }
  if (name === 'submit_revision') {
    const plan = currentPlan(req);
    const t3 = plan.tasks.find((t) => t.title === T3);
    if (t3) t3.title = T3_RENAMED;
    return tool(name, { ...plan, summary: 'renamed the usage task' }, 1000);
  }
  if (name === 'submit_judgement')
    return tool(name, {
      decision: 'pick',
      pickedDraft: 1,
      rationale: 'draft 1 does what was asked',
      merged: null,
    });
  throw new Error(`the scripted model has no answer for ${name}`);
}

// ---- the suite -----------------------------------------------------------------------------------

withTemporalCli(SUITE, ({ path: binary }) => {
  const missing = missingPrerequisites();
  if (missing.length) {
    if (inCi) {
      test('the dashboard test prerequisites are in place', () => {
        throw new Error(`CI=true and the dashboard e2e cannot run:\n  - ${missing.join('\n  - ')}`);
      });
    } else {
      console.warn(`SKIPPING ${SUITE}:\n  - ${missing.join('\n  - ')}`);
      test.skip(`${SUITE} (${missing.join('; ')})`, () => undefined);
    }
    return;
  }

  describe('the web dashboard in a real browser', () => {
    const tmp = makeTempDir('cw-web-e2e-');
    const dataDir = join(tmp.path, 'data');
    const eventStoreFile = join(dataDir, 'events.db');
    const taskQueue = `chunkwise-web-${Math.random().toString(36).slice(2, 8)}`;
    const screens = new Screens();
    const audit = new A11yAudit();
    const problems: string[] = [];
    let server: TemporalDevServer;
    let worker: WorkerProcess;
    let api: RunningApi;
    let fake: FakeAnthropic;
    let browser: Browser;
    let repo = '';
    let repositoryId = '';
    /** The plan the desktop flow built (the mobile test shows it too). */
    let flowPlanId = '';

    // ---- REST helpers ------------------------------------------------------------------------
    async function rest<T = any>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${api.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const detail = (id: string) => rest(`GET`, `/api/plans/${id}`);
    const tasksOf = (d: any): any[] => d.chunks.flatMap((c: any) => c.tasks);
    const historyOf = async (id: string): Promise<RecordedEvent[]> =>
      (await rest('GET', `/api/plans/${id}/history`)).entries;
    async function until<T>(what: string, check: () => Promise<T | false | null | undefined>, ms = RUN_MS) {
      const deadline = Date.now() + ms;
      let last: unknown;
      for (;;) {
        try {
          const v = await check();
          if (v) return v as T;
        } catch (e) {
          last = e;
        }
        if (Date.now() > deadline)
          throw new Error(
            `timed out (${ms} ms) waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`,
          );
        await sleep(150);
      }
    }
    /** Resolves once the plan's history holds an ExecutionPaused event with this reason (a client acts after it). */
    const pauseRecorded = (id: string, reason: string, after = 0) =>
      until(`ExecutionPaused (${reason}) of ${id}`, async () =>
        (await historyOf(id)).filter((e) => e.type === 'ExecutionPaused' && e.data.reason === reason).length >
        after
          ? true
          : false,
      );

    const executionSettings = {
      agent: { type: 'command', argv: [process.execPath, AGENT_SCRIPT], timeoutSec: 120 },
      maxAttempts: 1,
    };

    // ---- browser helpers ---------------------------------------------------------------------
    async function newContext(kind: 'desktop' | 'mobile'): Promise<BrowserContext> {
      const context = await browser.newContext(
        kind === 'desktop'
          ? { viewport: { width: 1280, height: 900 } }
          : { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
      );
      context.setDefaultTimeout(UI_MS);
      context.setDefaultNavigationTimeout(60_000);
      return context;
    }
    async function newPage(context: BrowserContext, label: string): Promise<Page> {
      const page = await context.newPage();
      collectPageProblems(page, problems, label);
      await installStatusObserver(page);
      return page;
    }
    /** One step of a flow: logged with its time, screenshot after it, and on failure too. */
    async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
      const t0 = Date.now();
      try {
        const v = await run();
        await screens.take(page, name);
        process.stdout.write(`  ✓ ${name} (${Date.now() - t0} ms)\n`);
        return v;
      } catch (e) {
        const shot = await screens.take(page, `FAILED ${name}`);
        const recent = problems.slice(-15).join('\n    ');
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(
          `step "${name}" failed after ${Date.now() - t0} ms: ${msg}\n  page: ${page.url()}\n  screenshot: ${shot}` +
            (await apiState(page)) +
            (recent ? `\n  browser console:\n    ${recent}` : ''),
          { cause: e },
        );
      }
    }
    /** What the API says about the plan the page shows (to tell a stale page from a stuck plan). */
    async function apiState(page: Page): Promise<string> {
      const id = /\/plans\/(p_[^/?#]+)/.exec(page.url())?.[1];
      if (!id) return '';
      try {
        const [d, p] = await Promise.all([detail(id), rest('GET', `/api/plans/${id}/progress`)]);
        const tasks = (p.tasks as any[]).map((t) => `${t.title}: ${t.status}`).join(', ');
        return (
          `\n  API now: plan ${d.status} at revision ${d.revision}; progress ${p.status}` +
          `${p.pauseReason ? ` (${p.pauseReason})` : ''}, live ${p.live}; tasks: ${tasks}`
        );
      } catch (e) {
        return `\n  API state unavailable: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const main = (page: Page) => page.getByRole('main');
    /**
     * A form control (text box, search box, number, select) by role and accessible name. (Not
     * getByLabel: the text of a <label> wrapping a <select> includes its options.)
     */
    const field = (scope: Page | Locator, name: string) => {
      const by = (role: 'textbox' | 'searchbox' | 'spinbutton' | 'combobox') =>
        scope.getByRole(role, { name, exact: true });
      return by('textbox').or(by('searchbox')).or(by('spinbutton')).or(by('combobox'));
    };
    const heading = (page: Page, name: string, level?: number) =>
      page.getByRole('heading', { name, exact: true, ...(level ? { level } : {}) });
    /** A chunk's <section> (the innermost section holding its heading). */
    const chunkSection = (page: Page, title: string) =>
      page
        .locator('section')
        .filter({ has: page.getByRole('heading', { name: title, exact: true }) })
        .last();
    const planTab = (page: Page, name: 'Plan' | 'Planning' | 'Execution' | 'History') =>
      page.getByRole('navigation', { name: 'Plan' }).getByRole('link', { name, exact: true });
    const visible = (l: Locator, timeout = UI_MS) => l.waitFor({ state: 'visible', timeout });
    const gone = (l: Locator, timeout = UI_MS) => l.waitFor({ state: 'hidden', timeout });
    async function noSidewaysScroll(page: Page, where: string) {
      const { scrollWidth, viewport } = await pageWidth(page);
      if (scrollWidth > viewport)
        throw new Error(`${where}: the page scrolls sideways (scrollWidth ${scrollWidth} > ${viewport} px)`);
    }

    beforeAll(async () => {
      process.stdout.write(`\nDashboard e2e screenshots: ${screens.dir}\n`);
      mkdirSync(dataDir, { recursive: true });
      server = await startTemporalDevServer({ dataDir: join(tmp.path, 'temporal'), binary, headless: true });
      worker = new WorkerProcess({
        temporalAddress: server.address,
        taskQueue,
        dataDir,
        eventStoreFile,
        logFile: join(tmp.path, 'worker.log'),
      });
      worker.start();
      fake = await FakeAnthropic.start();
      fake.respondWith(model);
      api = await startApi(
        loadConfig({
          CHUNKWISE_HOST: '127.0.0.1',
          CHUNKWISE_PORT: '0',
          CHUNKWISE_DATA_DIR: dataDir,
          CHUNKWISE_EVENT_STORE: 'sqlite',
          CHUNKWISE_EVENT_STORE_URL: eventStoreFile,
          TEMPORAL_ADDRESS: server.address,
          CHUNKWISE_TASK_QUEUE: taskQueue,
          ANTHROPIC_BASE_URL: fake.url,
          ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key',
          CHUNKWISE_LLM_MAX_RETRIES: '0',
          CHUNKWISE_LOG_LEVEL: 'error',
        }),
        { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } },
      );
      repo = makeRepo(join(tmp.path, 'target'));
      repositoryId = (await rest('POST', '/api/repositories', { path: repo, name: 'greeter-target' })).id;
      browser = await launchBrowser();
      await worker.waitUntilPolling(120_000);
      process.stdout.write(`Dashboard e2e: API and dashboard at ${api.dashboardUrl}\n`);
    }, 240_000);

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      await worker?.stop().catch(() => undefined);
      await api?.app.close().catch(() => undefined);
      await fake?.close().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      if (problems.length)
        process.stdout.write(`Browser console (last 30):\n  ${problems.slice(-30).join('\n  ')}\n`);
      process.stdout.write(`Dashboard e2e screenshots: ${screens.dir}\n`);
      if (worker && !process.env.KEEP_TEST_DIRS) tmp.remove();
    }, 120_000);

    // ---- 1. harness: stack + browser + screenshots + axe on whatever pages are built ---------
    test('the built dashboard is served by the API and every route renders in Chromium; axe finds nothing serious', async () => {
      const planId = (
        await rest('POST', '/api/plans', {
          title: 'Harness plan',
          repository: `repo:${repositoryId}`,
          chunks: [{ key: 'C01', title: 'Only chunk' }],
          tasks: [{ id: 'H1', chunk: 'C01', title: 'Harness task', description: 'write h.txt h' }],
        })
      ).id as string;
      const context = await newContext('desktop');
      const page = await newPage(context, 'harness');
      const local = new A11yAudit();
      try {
        const routes: Array<[string, string]> = [
          ['/', 'plan list'],
          ['/plans/new', 'new plan'],
          [`/plans/${planId}`, 'plan editor'],
          [`/plans/${planId}/planning`, 'planning'],
          [`/plans/${planId}/run`, 'execution'],
          [`/plans/${planId}/history`, 'history'],
        ];
        for (const [path, name] of routes) {
          await step(page, `harness: ${name} (${path})`, async () => {
            const res = await page.goto(`${api.baseUrl}${path}`, { waitUntil: 'load' });
            expect(res?.status()).toBe(200);
            expect(res?.headers()['content-type']).toMatch(/^text\/html/);
            // The app rendered (not the "not built" page): its frame, with the main landmark.
            await visible(page.getByRole('link', { name: 'Skip to content' }));
            await visible(main(page));
            await expect(page.title()).resolves.toBeTruthy();
            if (path.startsWith('/plans/p')) {
              await visible(heading(page, 'Harness plan', 1));
              await visible(page.getByRole('navigation', { name: 'Plan' }));
              // The live stream opened (the header says so).
              await visible(page.getByRole('status').filter({ hasText: 'Live' }));
            }
            await local.scan(page, `harness ${name}`);
          });
        }
        local.assertClean();
      } finally {
        await context.close();
      }
    }, 180_000);

    // ---- 2. the whole flow on a desktop viewport ---------------------------------------------
    test('plan with Claude, edit against a concurrent change, review, refine, execute, fail, edit and retry, pause, continue, complete — live within a second', async () => {
      const context = await newContext('desktop');
      const page = await newPage(context, 'desktop');
      try {
        // Plans list → New plan.
        await step(page, 'plan list', async () => {
          await page.goto(api.dashboardUrl);
          await visible(heading(page, 'Plans', 1));
          await visible(field(page, 'Repository'));
          await visible(field(page, 'Status'));
          await visible(field(page, 'Search by title'));
          await audit.scan(page, 'plan list');
        });
        await step(page, 'new plan page', async () => {
          await main(page).getByRole('link', { name: 'New plan', exact: true }).click();
          await visible(heading(page, 'New plan', 1));
          for (const h of ['Generate with Claude', 'Create by hand', 'Import a file'])
            await visible(heading(page, h, 2));
          await audit.scan(page, 'new plan');
        });

        // Generate with Claude (the stand-in answers after 1.5 s).
        const generated = await step(page, 'generate with Claude', async () => {
          const form = page
            .locator('section')
            .filter({ has: heading(page, 'Generate with Claude', 2) })
            .last();
          await field(form, 'Title').fill(PLAN_TITLE);
          await field(form, 'Description').fill('A greeting file, a check of it, and documentation.');
          await selectOptionMatching(field(form, 'Repository'), /greeter-target/);
          await field(form, 'Chunks').fill('2');
          const response = page.waitForResponse(
            (r) => r.url().endsWith('/api/plans/generate') && r.request().method() === 'POST',
            { timeout: 60_000 },
          );
          await form.getByRole('button', { name: 'Generate plan', exact: true }).click();
          await visible(page.getByRole('status').filter({ hasText: 'Claude is writing the plan…' }));
          await screens.take(page, 'generate: Claude is writing');
          const res = await response;
          expect(res.status()).toBe(201);
          const id = (await res.json()).id as string;
          expect(id).toBeTruthy();
          return id;
        });
        flowPlanId = generated;
        const planId = generated;
        const planUrl = `${api.baseUrl}/plans/${planId}`;

        await step(page, 'the generated plan opens', async () => {
          // The page either navigates to the plan, or shows the call's usage and links to the plan.
          const deadline = Date.now() + UI_MS;
          const onPlan = () => new URL(page.url()).pathname.startsWith(`/plans/${planId}`);
          const toPlan = main(page).getByRole('link', { name: /open|review/i });
          while (!onPlan() && (await toPlan.count()) === 0) {
            if (Date.now() > deadline)
              throw new Error('no navigation to the generated plan, and no link to it');
            await sleep(100);
          }
          if (!onPlan()) {
            await visible(
              main(page)
                .getByText(/tokens/i)
                .first(),
            );
            await visible(main(page).getByText(/cost/i).first());
            await screens.take(page, 'generate: usage and links');
            await toPlan.first().click();
            await page.waitForURL((u) => u.pathname.startsWith(`/plans/${planId}`));
          }
          await visible(heading(page, PLAN_TITLE, 1));
          const d = await detail(planId);
          expect(d.status).toBe('draft');
          expect(d.repository).toBe(`repo:${repositoryId}`);
          expect(tasksOf(d).map((t) => t.title)).toEqual([T1, T2, T3]);
        });

        // Setup through the API: the plan's own execution settings name the command agent.
        await rest('PATCH', `/api/plans/${planId}`, { execution: executionSettings });
        const idOf = async (title: string) =>
          tasksOf(await detail(planId)).find((t) => t.title === title)!.id;
        const t1 = await idOf(T1);
        const t3 = await idOf(T3);

        // The editor: edit T1 while someone changes T3 through the REST API → conflict → re-apply.
        await step(page, 'editor: open the task form', async () => {
          await page.goto(planUrl);
          await visible(heading(page, 'Chunks', 2));
          await visible(heading(page, CHUNK_CORE, 3));
          await visible(heading(page, CHUNK_DOCS, 3));
          await visible(page.getByRole('listitem').filter({ hasText: T2 }));
          await page.getByRole('button', { name: `Edit task ${T1}`, exact: true }).click();
          await visible(page.getByRole('button', { name: 'Save task', exact: true }));
          await visible(page.getByRole('group', { name: 'Depends on' }));
          await audit.scan(page, 'plan editor (task form open)');
        });
        const taskForm = page
          .locator('form')
          .filter({ has: page.getByRole('button', { name: 'Save task', exact: true }) })
          .last();
        // The page must not have heard of the concurrent change when the user saves (otherwise
        // its save is simply based on the newer revision): its refetch of the plan is held back
        // (a slow network) from the concurrent change until the conflict shows; the stream stays up.
        const held: Route[] = [];
        const isPlanDetail = (u: URL) => u.pathname === `/api/plans/${planId}`;
        const hold = (route: Route) =>
          route.request().method() === 'GET' ? void held.push(route) : void route.continue();
        const release = async () => {
          await page.unroute(isPlanDetail, hold);
          for (const r of held.splice(0)) await r.continue().catch(() => undefined);
        };
        await step(page, 'editor: conflicting save shows the conflict alert', async () => {
          await field(taskForm, 'Description').fill(T1_EDITED);
          await page.route(isPlanDetail, hold);
          try {
            // Someone else changes another task meanwhile (through the REST API)…
            await rest('PATCH', `/api/plans/${planId}/tasks/${t3}`, { acceptance: CONCURRENT_ACCEPTANCE });
            // …and the save, based on the revision the page loaded, is refused.
            await taskForm.getByRole('button', { name: 'Save task', exact: true }).click();
            await visible(page.getByRole('alert').filter({ hasText: 'changed since you loaded it' }));
            await visible(page.getByRole('button', { name: 'Reload', exact: true }));
            await audit.scan(page, 'plan editor (conflict)');
          } finally {
            await release();
          }
        });
        await step(page, 'editor: Re-apply my edit keeps both changes', async () => {
          await page.getByRole('button', { name: 'Re-apply my edit', exact: true }).click();
          await gone(page.getByRole('alert').filter({ hasText: 'changed since you loaded it' }));
          await until(
            'both edits in the plan',
            async () => {
              const ts = tasksOf(await detail(planId));
              const a = ts.find((t) => t.id === t1);
              const c = ts.find((t) => t.id === t3);
              return (
                a?.description === T1_EDITED &&
                JSON.stringify(c?.acceptance) === JSON.stringify(CONCURRENT_ACCEPTANCE)
              );
            },
            UI_MS,
          );
        });

        // The plan list: the draft offers Review and Edit; Review opens the planning tab.
        await step(page, 'plan list: draft actions', async () => {
          await page.goto(api.dashboardUrl);
          await visible(heading(page, 'Plans', 1));
          await field(page, 'Search by title').fill('Greeting');
          const card = page
            .getByRole('article')
            .filter({ has: page.getByRole('link', { name: PLAN_TITLE }) });
          await visible(card);
          await visible(card.getByRole('link', { name: 'Edit', exact: true }));
          await audit.scan(page, 'plan list (one draft)');
          await card.getByRole('link', { name: 'Review', exact: true }).click();
          await page.waitForURL((u) => u.pathname === `/plans/${planId}/planning`);
          await visible(heading(page, 'Planning', 2));
        });

        // Review with Claude → apply the suggestion.
        await step(page, 'planning: request a review', async () => {
          await selectOptionMatching(field(page, 'Review type'), /missing/i);
          await selectOptionMatching(field(page, 'Scope'), /whole|all/i);
          await page.getByRole('button', { name: 'Request review', exact: true }).click();
          await visible(page.getByRole('checkbox', { name: /changelog/i }));
          await visible(page.getByText('A release needs a changelog line', { exact: false }));
          await audit.scan(page, 'planning (suggestions)');
        });
        const revisionBeforeApply = (await detail(planId)).revision as number;
        await step(page, 'planning: apply the suggestion', async () => {
          await page.getByRole('checkbox', { name: /changelog/i }).check();
          await page.getByRole('button', { name: 'Apply selected suggestions', exact: true }).click();
          await until(
            'the suggested task in the plan',
            async () => {
              const d = await detail(planId);
              return d.revision > revisionBeforeApply && tasksOf(d).some((t) => t.title === T4);
            },
            UI_MS,
          );
        });

        // Continue planning (multi: 2 drafts and a judge) → "Changes in revision N".
        await step(page, 'planning: run a planning turn', async () => {
          await field(page, 'Feedback').fill(FEEDBACK);
          await selectOptionMatching(field(page, 'Mode'), /^Continue planning \(multi\)$/);
          await field(page, 'Drafts').fill('2');
          await page.getByRole('button', { name: 'Run planning turn', exact: true }).click();
          // The model is at work (not the header's live state, also a status).
          await visible(
            main(page)
              .getByRole('status')
              .filter({ hasNotText: /^\s*(Live|Connecting…|Connection lost — reconnecting…)\s*$/ })
              .first(),
          );
          const d = await until(
            'the refined plan',
            async () => {
              const x = await detail(planId);
              return tasksOf(x).some((t) => t.title === T3_RENAMED) ? x : null;
            },
            60_000,
          );
          const changes = heading(page, `Changes in revision ${d.revision}`, 3);
          await visible(changes);
          await visible(page.getByText(T3_RENAMED).first());
          await visible(heading(page, 'Feedback history', 3));
          await visible(page.getByText(FEEDBACK.slice(0, 40)).first());
          await visible(heading(page, 'Usage', 3));
          // Both of the user's edits survived the turn.
          const ts = tasksOf(d);
          expect(ts.find((t) => t.id === t1).description).toBe(T1_EDITED);
          expect(ts.find((t) => t.id === t3).acceptance).toEqual(CONCURRENT_ACCEPTANCE);
          await audit.scan(page, 'planning (after a turn)');
        });

        // Pause after the first chunk (set in the editor, after the last planning turn).
        await step(page, 'editor: pause after the first chunk', async () => {
          await planTab(page, 'Plan').click();
          await visible(heading(page, 'Chunks', 2));
          const core = chunkSection(page, CHUNK_CORE);
          const box = core.getByRole('checkbox', { name: 'Pause after this chunk', exact: true });
          await box.check();
          const saved = await until(
            'pauseAfter saved',
            async () => (await detail(planId)).chunks[0].pauseAfter === true,
            5000,
          ).catch(() => false);
          if (!saved) {
            // Saved with the chunk's own button, if the page has one.
            await core.getByRole('button', { name: /save/i }).first().click();
            await until(
              'pauseAfter saved',
              async () => (await detail(planId)).chunks[0].pauseAfter === true,
              UI_MS,
            );
          }
          expect(await box.isChecked()).toBe(true);
        });

        // Finalize and execute (the plan's own settings: the command agent, one attempt).
        const titles = [T1, T2, T3_RENAMED, T4];
        let viewReadyAt = 0;
        await step(page, 'planning: Finalize and execute', async () => {
          await planTab(page, 'Planning').click();
          await visible(heading(page, 'Planning', 2));
          await watchTaskTitles(page, titles);
          await page.getByRole('button', { name: 'Finalize and execute', exact: true }).click();
          await until(
            'a running session',
            async () => ['running', 'paused'].includes((await detail(planId)).status),
            60_000,
          );
          if (!new URL(page.url()).pathname.endsWith('/run')) await planTab(page, 'Execution').click();
          await visible(heading(page, 'Execution', 2));
          await visible(page.getByRole('progressbar', { name: `${CHUNK_CORE} progress` }));
          await visible(page.getByRole('progressbar', { name: `${CHUNK_DOCS} progress` }));
          viewReadyAt = Date.now();
        });

        await step(page, 'execution: the running task and its output', async () => {
          const p = await rest('GET', `/api/plans/${planId}/progress`);
          const running = p.tasks.find((t: any) => t.id === t1)?.status === 'running';
          if (running) {
            await visible(heading(page, 'Agent output', 4), 10_000);
            await visible(page.getByText('sleep 6000').first(), 10_000);
          } else {
            process.stdout.write(
              `    (T1 was no longer running when the view opened: ${p.tasks[0]?.status})\n`,
            );
          }
          await audit.scan(page, 'execution (running)');
        });

        // T2 fails (its description always fails; one attempt) → Edit and retry with a fixed description.
        const failCard = page.getByRole('region', { name: `Task failed: ${T2}` });
        await step(page, 'execution: a task fails', async () => {
          await visible(failCard, RUN_MS);
          for (const b of ['Retry', 'Edit and retry', 'Skip', 'Mark complete', 'Cancel plan'])
            await visible(failCard.getByRole('button', { name: b, exact: true }));
          await pauseRecorded(planId, 'task_failed');
          await audit.scan(page, 'execution (task failed)');
        });
        await step(page, 'execution: Edit and retry', async () => {
          await failCard.getByRole('button', { name: 'Edit and retry', exact: true }).click();
          const description = field(page, 'Description');
          await visible(description);
          await description.fill(T2_FIXED);
          await screens.take(page, 'edit and retry: the form');
          await audit.scan(page, 'execution (edit and retry form)');
          const form = page.locator('form').filter({ has: description }).last();
          const retry = form.getByRole('button', { name: /retry/i });
          await (
            (await retry.count()) > 0 ? retry.first() : form.getByRole('button', { name: /save/i }).first()
          ).click();
          await gone(failCard, RUN_MS);
        });

        // The first chunk completes → paused after it → Continue.
        await step(page, 'execution: paused after the chunk', async () => {
          await visible(heading(page, 'Paused'), RUN_MS);
          await pauseRecorded(planId, 'chunk_completed');
          await visible(page.getByText('src/greeting.txt').first());
          await visible(page.getByRole('button', { name: 'Stop', exact: true }).last());
          await audit.scan(page, 'execution (paused after a chunk)');
        });
        await step(page, 'execution: Continue', async () => {
          await page.getByRole('button', { name: 'Continue', exact: true }).click();
          await gone(heading(page, 'Paused'), RUN_MS);
        });
        await step(page, 'execution: Completed', async () => {
          await visible(heading(page, 'Completed'), RUN_MS);
          const d = await detail(planId);
          expect(d.status).toBe('completed');
          expect(tasksOf(d).map((t) => [t.title, t.status])).toEqual(titles.map((t) => [t, 'completed']));
          await audit.scan(page, 'execution (completed)');
        });

        // What ran is what the UI asked for: the edited T1, the fixed T2, one commit each.
        const p = await rest('GET', `/api/plans/${planId}/progress`);
        const session = (await historyOf(planId)).find((e) => e.type === 'ExecutionStarted')!.data
          .sessionId as string;
        const branch = `chunkwise/${planId}/${session}`;
        expect(git(repo, 'show', `${branch}:src/greeting.txt`)).toBe('Hello from the dashboard');
        expect(git(repo, 'show', `${branch}:src/check.txt`)).toBe('checked after the fix');
        expect(git(repo, 'log', '--format=%s', `main..${branch}`).split('\n')).toHaveLength(4);
        expect(p.totals.completed).toBe(4);

        // Live: task status changes show within a second of their event's recordedAt (the median; each within 3 s).
        const finalTasks = tasksOf(await detail(planId));
        const measured = latencies(
          await historyOf(planId),
          await statusSightings(page),
          (id) => finalTasks.find((t) => t.id === id)?.title,
          viewReadyAt,
        );
        process.stdout.write(`  live view latency (event recordedAt → DOM):\n${formatLatencies(measured)}\n`);
        expect(measured.length).toBeGreaterThanOrEqual(4); // T2 failed, T2, T3, T4 completed at least
        // Every change shows within the cap, and the typical one (the median) within a second.
        const slow = measured.filter((l) => l.ms === null || l.ms >= LIVE_CAP_MS);
        if (slow.length)
          throw new Error(`status changes not shown within ${LIVE_CAP_MS} ms:\n${formatLatencies(slow)}`);
        const sorted = measured.map((l) => l.ms!).sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)];
        if (median >= LIVE_BOUND_MS)
          throw new Error(
            `the median status change took ${median} ms (bound ${LIVE_BOUND_MS} ms):\n${formatLatencies(measured)}`,
          );

        // History: the table of events, filterable.
        await step(page, 'history', async () => {
          await planTab(page, 'History').click();
          await visible(heading(page, 'History', 2));
          const table = page.getByRole('table', { name: 'Events' });
          await visible(table);
          for (const c of ['Type', 'Revision', 'Time', 'Data'])
            await visible(table.getByRole('columnheader', { name: c, exact: true }));
          await selectOptionMatching(field(page, 'Event type'), /^TaskFailed$/);
          const rows = table.getByRole('row').filter({ hasText: 'TaskFailed' });
          await visible(rows.first());
          await audit.scan(page, 'history');
        });

        // The plan list: the completed plan offers Details.
        await step(page, 'plan list: completed plan', async () => {
          await page.goto(api.dashboardUrl);
          const card = page
            .getByRole('article')
            .filter({ has: page.getByRole('link', { name: PLAN_TITLE }) });
          await visible(card.getByRole('link', { name: 'Details', exact: true }));
          await audit.scan(page, 'plan list (completed)');
        });
      } finally {
        await context.close();
      }
      audit.assertClean();
    }, 600_000);

    // ---- 3. the key screens on a 390 px viewport ---------------------------------------------
    test('on a 390 px phone: plan list, execution view, failure and approval actions usable without sideways scroll', async () => {
      // A plan whose first task always fails and whose second chunk needs an approval.
      const planId = (
        await rest('POST', '/api/plans', {
          title: 'Mobile check',
          repository: `repo:${repositoryId}`,
          execution: executionSettings,
          chunks: [
            { key: 'C01_fail', title: 'Failing chunk' },
            { key: 'C02_manual', title: 'Manual chunk', executionMode: 'manual' },
          ],
          tasks: [
            { id: 'M1', chunk: 'C01_fail', title: 'Always failing step', description: 'fail 99' },
            { id: 'M2', chunk: 'C02_manual', title: 'Approved step', description: 'write approved.txt ok' },
          ],
        })
      ).id as string;
      await rest('POST', `/api/plans/${planId}/finalize`, {});
      const context = await newContext('mobile');
      const page = await newPage(context, 'mobile');
      const mobileAudit = new A11yAudit();
      try {
        await step(page, 'mobile: plan list', async () => {
          await page.goto(api.dashboardUrl);
          await visible(heading(page, 'Plans', 1));
          const card = page
            .getByRole('article')
            .filter({ has: page.getByRole('link', { name: 'Mobile check' }) });
          const execute = card.getByRole('link', { name: 'Execute', exact: true });
          await visible(execute);
          await noSidewaysScroll(page, 'plan list at 390 px');
          await expectInsideViewport(page, [execute], 'plan list at 390 px');
          await mobileAudit.scan(page, 'mobile plan list');
          await execute.click();
          await page.waitForURL((u) => u.pathname === `/plans/${planId}/run`);
        });
        await step(page, 'mobile: Execute', async () => {
          await visible(heading(page, 'Execution', 2));
          await noSidewaysScroll(page, 'execution view (ready) at 390 px');
          await page.getByRole('button', { name: 'Execute', exact: true }).click();
          // The page follows the plan: once it runs, there is nothing to execute any more.
          await gone(page.getByRole('button', { name: 'Execute', exact: true }), RUN_MS);
        });
        const failCard = page.getByRole('region', { name: 'Task failed: Always failing step' });
        await step(page, 'mobile: failure actions', async () => {
          await visible(failCard, RUN_MS);
          const buttons = ['Retry', 'Edit and retry', 'Skip', 'Mark complete', 'Cancel plan'].map((b) =>
            failCard.getByRole('button', { name: b, exact: true }),
          );
          await expectInsideViewport(page, buttons, 'failure actions at 390 px');
          await noSidewaysScroll(page, 'execution view (task failed) at 390 px');
          await pauseRecorded(planId, 'task_failed');
          await mobileAudit.scan(page, 'mobile execution (task failed)');
          await failCard.getByRole('button', { name: 'Skip', exact: true }).click();
          await gone(failCard, RUN_MS);
        });
        const approval = page.getByRole('region', { name: 'Approval needed: Manual chunk' });
        await step(page, 'mobile: approval actions', async () => {
          await visible(approval, RUN_MS);
          const buttons = ['Execute chunk', 'Skip chunk', 'Edit'].map((b) =>
            approval.getByRole('button', { name: b, exact: true }),
          );
          await expectInsideViewport(page, buttons, 'approval actions at 390 px');
          await noSidewaysScroll(page, 'execution view (approval) at 390 px');
          await pauseRecorded(planId, 'approval');
          await mobileAudit.scan(page, 'mobile execution (approval)');
          await approval.getByRole('button', { name: 'Execute chunk', exact: true }).click();
        });
        await step(page, 'mobile: completed', async () => {
          await visible(heading(page, 'Completed'), RUN_MS);
          await noSidewaysScroll(page, 'execution view (completed) at 390 px');
          const d = await detail(planId);
          expect(tasksOf(d).map((t) => t.status)).toEqual(['skipped', 'completed']);
          await mobileAudit.scan(page, 'mobile execution (completed)');
        });
        if (flowPlanId) {
          await step(page, 'mobile: the desktop flow plan, execution view', async () => {
            await page.goto(`${api.baseUrl}/plans/${flowPlanId}/run`);
            await visible(heading(page, 'Completed'));
            await noSidewaysScroll(page, 'completed plan execution view at 390 px');
          });
          await step(page, 'mobile: history', async () => {
            await planTab(page, 'History').click();
            await visible(page.getByRole('table', { name: 'Events' }));
            await noSidewaysScroll(page, 'history at 390 px (the table scrolls inside its wrapper)');
            await mobileAudit.scan(page, 'mobile history');
          });
        }
      } finally {
        await context.close();
      }
      mobileAudit.assertClean();
    }, 420_000);
  });
});
