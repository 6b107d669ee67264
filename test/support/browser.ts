/**
 * A real browser for the dashboard tests: Debian's Chromium driven by playwright-core (browser
 * downloads are not used), a screenshot folder per run, and an axe-core accessibility scan.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** The Chromium binary: CHUNKWISE_CHROMIUM, else Debian's package (`apt-get install chromium`). */
export const CHROMIUM = process.env.CHUNKWISE_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser cannot run here, or null when it can. */
export function chromiumUnavailable(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no Chromium at ${CHROMIUM} (install Debian's package: apt-get install -y chromium, or set CHUNKWISE_CHROMIUM)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    timeout: 60_000,
  });
}

/** Screenshots of a run, numbered in the order taken, in one folder printed at the start. */
export class Screens {
  readonly dir: string;
  private n = 0;

  constructor(prefix = 'chunkwise-e2e-screens') {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.dir = join(process.env.CHUNKWISE_E2E_SCREENS_DIR ?? tmpdir(), `${prefix}-${stamp}`);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Saves a full-page screenshot named `NN-<name>.png`; returns its path. Never throws. */
  async take(page: Page, name: string): Promise<string> {
    this.n += 1;
    const slug = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80);
    const file = join(this.dir, `${String(this.n).padStart(2, '0')}-${slug}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 20_000 });
    } catch (e) {
      process.stderr.write(`screenshot ${file} failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    return file;
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
}

const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** Runs axe-core on the page as it is now; returns the violations of impact serious or critical. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Functions given to page.evaluate run in the page: its globals are reached through globalThis
  // (this program is compiled without the DOM library).
  const loaded = await page.evaluate(() => typeof (globalThis as any).axe === 'object');
  if (!loaded) {
    await page.addScriptTag({ path: AXE_PATH }).catch(() => undefined);
    // A Content-Security-Policy may refuse the injected tag: evaluate the source instead.
    const ok = await page.evaluate(() => typeof (globalThis as any).axe === 'object');
    if (!ok) await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
  }
  const violations = await page.evaluate(async () => {
    const g = globalThis as any;
    const result = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return (result.violations as any[]).map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: (v.nodes as any[]).map((n) => ({
        target: n.target.map(String),
        html: String(n.html).slice(0, 300),
        failureSummary: n.failureSummary,
      })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The violations as readable text: rule, impact, help, and each offending element. */
export function formatViolations(where: string, violations: AxeViolation[]): string {
  const lines = [`${where}: ${violations.length} serious/critical accessibility violation(s)`];
  for (const v of violations) {
    lines.push(`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 8)) {
      lines.push(`      at ${n.target.join(' ')}: ${n.html}`);
      if (n.failureSummary) lines.push(`        ${n.failureSummary.replace(/\n/g, '\n        ')}`);
    }
    if (v.nodes.length > 8) lines.push(`      … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}

/**
 * Scans pages and keeps what it found, so that one run reports every page's problems:
 * `scan` prints the violations as soon as they are found; `assertClean` fails with all of them.
 */
export class A11yAudit {
  readonly scanned: string[] = [];
  readonly failures: string[] = [];

  async scan(page: Page, where: string): Promise<AxeViolation[]> {
    const violations = await seriousA11yViolations(page);
    this.scanned.push(where);
    if (violations.length) {
      const text = formatViolations(where, violations);
      this.failures.push(text);
      process.stderr.write(`${text}\n`);
    }
    return violations;
  }

  assertClean(): void {
    if (this.failures.length) throw new Error(this.failures.join('\n\n'));
  }
}

/** Asserts now that the page has no serious or critical violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  if (violations.length) throw new Error(formatViolations(where, violations));
}

/** The page's width against the viewport's: the page scrolls sideways when scrollWidth > viewport. */
export async function pageWidth(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  return page.evaluate(() => {
    const g = globalThis as any;
    return {
      scrollWidth: g.document.documentElement.scrollWidth as number,
      viewport: g.innerWidth as number,
    };
  });
}

/** Throws unless every locator is visible and lies horizontally inside the viewport (no sideways scroll needed). */
export async function expectInsideViewport(page: Page, locators: Locator[], what: string): Promise<void> {
  const width =
    page.viewportSize()?.width ?? (await page.evaluate(() => (globalThis as any).innerWidth as number));
  for (const l of locators) {
    await l.scrollIntoViewIfNeeded({ timeout: 10_000 });
    const box = await l.boundingBox();
    if (!box) throw new Error(`${what}: ${l} is not rendered`);
    if (box.x < 0 || box.x + box.width > width + 0.5)
      throw new Error(
        `${what}: ${l} lies outside the ${width}px viewport (x=${box.x.toFixed(1)}, width=${box.width.toFixed(1)})`,
      );
  }
}

/**
 * Chooses the option of a <select> whose value or visible label matches `pattern` (the contract
 * names the select, not the exact wording of its options). Returns the chosen value.
 */
export async function selectOptionMatching(select: Locator, pattern: RegExp): Promise<string> {
  const options = await select.evaluate((el: any) =>
    Array.from(el.options as ArrayLike<{ value: string; label: string }>).map((o) => ({
      value: o.value,
      label: o.label,
    })),
  );
  const found = options.find((o) => pattern.test(o.label)) ?? options.find((o) => pattern.test(o.value));
  if (!found)
    throw new Error(
      `no option matching ${pattern} in ${select}; options: ${options.map((o) => `${o.label} (${o.value})`).join(', ')}`,
    );
  await select.selectOption(found.value);
  return found.value;
}

/** What the page said on its console (errors and warnings) and any uncaught exception, for failure reports. */
export function collectPageProblems(page: Page, into: string[], label: string): void {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      into.push(`${label} console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => into.push(`${label} uncaught: ${e.message}`));
}
