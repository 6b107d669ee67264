/**
 * The dashboard's Templates page in a real browser (Debian's Chromium through playwright-core)
 * against the real API from startApi serving the built dashboard (dist/web), on real SQLite files:
 * reached from the main navigation, a template chosen, its parameters filled in with the keyboard
 * only, the draft plan created and opened. Every step is driven by role and accessible name; the
 * page gets an axe-core scan (no serious or critical violation). No execution here: Temporal is not
 * needed (test/templates.e2e.ts runs a template-made plan to completion).
 *
 * Needs the built dashboard (`npm run setup` or `npm run build:web`) and Chromium at
 * /usr/bin/chromium (CHUNKWISE_CHROMIUM overrides); under CI=true a missing piece fails the suite,
 * otherwise it skips with the reason printed.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '@chunkwise/config';
import { startApi, type RunningApi } from '../apps/api/src/app.factory';
import { dashboardDir } from '../apps/api/src/web/dashboard';
import {
  A11yAudit,
  chromiumUnavailable,
  collectPageProblems,
  launchBrowser,
  Screens,
} from './support/browser';
import { inCi } from './support/ci';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(180_000);
const UI_MS = 30_000;

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const index = join(dashboardDir(), 'index.html');
  if (!existsSync(index))
    missing.push(`the dashboard is not built (${index} is missing): run \`npm run setup\``);
  const chromium = chromiumUnavailable();
  if (chromium) missing.push(chromium);
  return missing;
}

const missing = missingPrerequisites();
if (missing.length && !inCi) {
  console.warn(`SKIPPING test/web-templates.e2e.ts: ${missing.join('; ')}`);
  test.skip(`test/web-templates.e2e.ts (${missing.join('; ')})`, () => undefined);
} else {
  describe('the Templates page in Chromium', () => {
    const tmp = makeTempDir('cw-web-templates-');
    const screens = new Screens('chunkwise-templates-screens');
    const problems: string[] = [];
    let api: RunningApi;
    let browser: Browser;

    beforeAll(async () => {
      if (missing.length) throw new Error(`CI=true and prerequisites are missing: ${missing.join('; ')}`);
      api = await startApi(
        loadConfig({
          CHUNKWISE_HOST: '127.0.0.1',
          CHUNKWISE_PORT: '0',
          CHUNKWISE_DATA_DIR: tmp.path,
          // Nothing listens there: no route used here needs Temporal.
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          CHUNKWISE_LOG_LEVEL: 'error',
        }),
        { logger: false, temporalConnectTimeoutMs: 500 },
      );
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      await api?.app.close().catch(() => undefined);
      if (problems.length) process.stdout.write(`Browser console:\n  ${problems.join('\n  ')}\n`);
      process.stdout.write(`Templates e2e screenshots: ${screens.dir}\n`);
      tmp.remove();
    });

    const visible = (page: Page, l: ReturnType<Page['getByRole']>) =>
      l.waitFor({ state: 'visible', timeout: UI_MS });

    test('choose a template, fill its parameters with the keyboard, and the new draft plan opens', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      collectPageProblems(page, problems, 'templates');
      const audit = new A11yAudit();
      try {
        await page.goto(`${api.baseUrl}/`, { waitUntil: 'load' });
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
        await visible(page, page.getByRole('heading', { name: 'Templates', level: 1, exact: true }));
        const list = page.getByRole('list', { name: 'Templates' });
        await visible(page, list);
        const items = list.getByRole('listitem');
        await expect(items.count()).resolves.toBe(5);
        await screens.take(page, 'template list');
        await audit.scan(page, 'template list');

        // Keyboard only: focus the button of "Fix a bug…", press Enter; the form's heading takes focus.
        const use = page
          .getByRole('listitem')
          .filter({ has: page.getByRole('heading', { name: 'Fix a bug, regression test first' }) })
          .getByRole('button', { name: 'Use this template' });
        await use.focus();
        await page.keyboard.press('Enter');
        const formHeading = page.getByRole('heading', {
          name: 'New plan from “Fix a bug, regression test first”',
        });
        await visible(page, formHeading);
        await expect(
          formHeading.evaluate((el) => el === (globalThis as any).document.activeElement),
        ).resolves.toBe(true);
        expect(page.url()).toMatch(/\/templates\?name=fix-bug$/);

        // Submitting without the required parameter says so beside the field, and sends nothing.
        await page.getByRole('button', { name: 'Create plan' }).press('Enter');
        const bug = page.getByRole('textbox', { name: 'bug', exact: true });
        await expect(bug.getAttribute('aria-invalid')).resolves.toBe('true');
        await audit.scan(page, 'template form with an error');
        await screens.take(page, 'required parameter missing');

        await bug.focus();
        await page.keyboard.type('refund totals are off by one cent');
        // Tab goes on to the next parameter, reproduction.
        await page.keyboard.press('Tab');
        await page.keyboard.type('refund an invoice twice');
        await page.keyboard.press('Enter');

        const title = page.getByRole('heading', { name: 'Fix: refund totals are off by one cent', level: 1 });
        await visible(page, title);
        expect(page.url()).toMatch(/\/plans\/p_[a-z0-9]+$/);
        await expect(
          page
            .getByText('Add a regression test that fails because refund totals are off by one cent')
            .count(),
        ).resolves.toBeGreaterThan(0);
        await screens.take(page, 'plan created from the template');

        const planId = /\/plans\/(p_[a-z0-9]+)$/.exec(page.url())![1];
        const plan = (await (await fetch(`${api.apiUrl}/plans/${planId}`)).json()) as {
          status: string;
          description: string;
        };
        expect(plan.status).toBe('draft');
        expect(plan.description).toContain(
          'Reproduction: refund an invoice twice. Likely in the code involved.',
        );
        audit.assertClean();
      } finally {
        await context.close();
      }
    });
  });
}
