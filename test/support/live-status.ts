/**
 * Measures how fast the dashboard shows execution events: an observer installed in the page before
 * its scripts run notes, for each task title it is told about, the first moment (browser clock,
 * Date.now()) a status badge (`[data-status]`, the StatusBadge component) showed each status for
 * that task. Compared with the events' recordedAt (same machine, same clock), that is the time from
 * an event being recorded to the page showing it.
 *
 * A badge belongs to a task when the nearest enclosing element that mentions a watched task title
 * mentions exactly one; the walk stops at section/article/main, so a chunk's or the plan's own
 * badge (whose enclosing section lists several tasks) belongs to no task.
 */
import type { Page } from 'playwright-core';

export interface StatusSighting {
  title: string;
  status: string;
  at: number;
}

interface Watch {
  titles: string[];
  log: StatusSighting[];
  scan(): void;
}

/** Installs the observer on every document the page loads (call before the first navigation). */
export async function installStatusObserver(page: Page): Promise<void> {
  // Runs in the page (this program is compiled without the DOM library: page globals via globalThis).
  await page.addInitScript(() => {
    const g = globalThis as any;
    const seen = new Set<string>();
    const watch: Watch = {
      titles: [],
      log: [],
      scan() {
        if (watch.titles.length === 0) return;
        const now = Date.now();
        for (const badge of Array.from(g.document.querySelectorAll('[data-status]')) as any[]) {
          let el: any = badge;
          let title: string | null = null;
          while (el && !['SECTION', 'ARTICLE', 'MAIN', 'BODY', 'HTML'].includes(el.tagName)) {
            const text = el.textContent ?? '';
            const found = watch.titles.filter((t) => text.includes(t));
            if (found.length === 1) title = found[0];
            if (found.length > 0) break;
            el = el.parentElement;
          }
          if (!title) continue;
          const status = badge.getAttribute('data-status') ?? '';
          const key = `${title}\u0000${status}`;
          if (seen.has(key)) continue;
          seen.add(key);
          watch.log.push({ title, status, at: now });
        }
      },
    };
    g.__cwWatch = watch;
    new g.MutationObserver(() => watch.scan()).observe(g.document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
}

/** Tells the observer which task titles to follow (titles must not contain one another). */
export async function watchTaskTitles(page: Page, titles: string[]): Promise<void> {
  await page.evaluate((list) => {
    const w = (globalThis as any).__cwWatch as Watch | undefined;
    if (!w) throw new Error('the status observer is not installed (installStatusObserver before goto)');
    w.titles = list;
    w.scan();
  }, titles);
}

export async function statusSightings(page: Page): Promise<StatusSighting[]> {
  return page.evaluate(() => ((globalThis as any).__cwWatch as Watch | undefined)?.log ?? []);
}

export interface RecordedEvent {
  type: string;
  recordedAt: string;
  data: Record<string, unknown>;
}

export interface Latency {
  event: string;
  task: string;
  status: string;
  recordedAt: number;
  shownAt: number | null;
  /** shownAt - recordedAt (ms); null when the page never showed it. */
  ms: number | null;
}

/** The task status an event makes visible. */
export const STATUS_OF_EVENT: Record<string, string> = {
  TaskCompleted: 'completed',
  TaskFailed: 'failed',
  TaskSkipped: 'skipped',
};

/**
 * Pairs each task status event recorded at or after `since` with the first sighting of that
 * status for that task. `titleOf` maps a task id to the title the page shows.
 */
export function latencies(
  events: RecordedEvent[],
  sightings: StatusSighting[],
  titleOf: (taskId: string) => string | undefined,
  since: number,
): Latency[] {
  const out: Latency[] = [];
  for (const e of events) {
    const status = STATUS_OF_EVENT[e.type];
    const taskId = typeof e.data.taskId === 'string' ? e.data.taskId : undefined;
    if (!status || !taskId) continue;
    const recordedAt = Date.parse(e.recordedAt);
    if (!(recordedAt >= since)) continue;
    const task = titleOf(taskId) ?? taskId;
    const seen = sightings.find((s) => s.title === task && s.status === status);
    out.push({
      event: e.type,
      task,
      status,
      recordedAt,
      shownAt: seen?.at ?? null,
      ms: seen ? seen.at - recordedAt : null,
    });
  }
  return out;
}

export function formatLatencies(list: Latency[]): string {
  return list
    .map(
      (l) =>
        `  ${l.event.padEnd(14)} ${l.task.padEnd(28)} → "${l.status}" shown ${l.ms === null ? 'NEVER' : `${l.ms} ms`} after recordedAt`,
    )
    .join('\n');
}
