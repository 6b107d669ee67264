import { Command, Option } from 'commander';
import { SCHEDULE_FROM, SCHEDULE_OVERLAPS } from '@chunkwise/domain';
import { contextOf, type Context, type Deps } from '../context';
import { UsageError } from '../errors';
import { formatTime, printJson, table } from '../output';

/** A schedule as the API answers it (apps/api/src/schedules/schedule-schemas.ts). */
export interface ScheduleView {
  planId: string;
  scheduleId: string;
  description: string;
  overlap: string;
  from: string;
  status: string;
  note: string | null;
  fired: number;
  skipped: number;
  lastFiring: { outcome: string; sessionId: string | null; reason: string | null } | null;
  temporal: { paused: boolean; nextRunTimes: string[] } | null;
  temporalNote?: string;
}

const path = (plan: string, scheduleId?: string, action?: string) =>
  `/plans/${encodeURIComponent(plan)}/schedules` +
  (scheduleId ? `/${encodeURIComponent(scheduleId)}` : '') +
  (action ? `/${action}` : '');

export function renderSchedules(schedules: ScheduleView[]): string[] {
  if (schedules.length === 0) return ['no schedules'];
  return table(schedules, [
    { header: 'plan', value: (s) => s.planId },
    { header: 'schedule', value: (s) => s.scheduleId },
    { header: 'when', value: (s) => s.description, max: 40 },
    { header: 'overlap', value: (s) => s.overlap },
    { header: 'status', value: (s) => s.status },
    { header: 'next run', value: (s) => (s.temporal ? formatTime(s.temporal.nextRunTimes[0]) : 'unknown') },
    { header: 'fired', value: (s) => String(s.fired), align: 'right' },
    { header: 'skipped', value: (s) => String(s.skipped), align: 'right' },
    {
      header: 'last firing',
      value: (s) =>
        !s.lastFiring
          ? '-'
          : s.lastFiring.outcome === 'skipped'
            ? `skipped: ${s.lastFiring.reason ?? ''}`
            : `${s.lastFiring.outcome} ${s.lastFiring.sessionId ?? ''}`,
      max: 60,
    },
  ]);
}

function show(ctx: Context, view: ScheduleView, verb: string): void {
  if (ctx.json) return printJson(ctx.io, view);
  ctx.io.out(
    `schedule ${view.scheduleId} of plan ${view.planId} ${verb}: ${view.description}, overlap ${view.overlap}`,
  );
  if (view.temporal?.nextRunTimes.length)
    ctx.io.out(`  next run ${formatTime(view.temporal.nextRunTimes[0])}`);
  if (view.temporalNote) ctx.io.out(`  note: ${view.temporalNote}`);
}

/** `chunkwise schedule create|list|pause|resume|trigger|delete` (docs/schedules.md). */
export function scheduleCommand(deps: Deps): Command {
  const schedule = new Command('schedule').description(
    'run a finalized plan at a time, every interval or on a cron (Temporal Schedules); every action is on the plan’s history',
  );

  schedule
    .command('create')
    .description('schedule a finalized plan: exactly one of --cron, --every, --at')
    .argument('<plan>', 'plan id')
    .option('--cron <expr>', 'five-field cron in UTC, e.g. "0 3 * * 1-5", or @daily')
    .option('--every <interval>', 'a fixed interval: 30s, 15m, 1h30m, 2d')
    .option('--at <time>', 'once, at an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z')
    .addOption(
      new Option('--overlap <policy>', 'a firing while a session is active: refuse it, or queue it')
        .choices(SCHEDULE_OVERLAPS)
        .default('refuse'),
    )
    .addOption(
      new Option('--from <where>', 'each session: keep completed tasks (current) or run all again')
        .choices(SCHEDULE_FROM)
        .default('current'),
    )
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (plan: string, opts: Record<string, string | undefined>, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const given = [opts.cron, opts.every, opts.at].filter((v) => v !== undefined).length;
      if (given !== 1) throw new UsageError('give exactly one of --cron, --every, --at');
      const body = Object.fromEntries(
        Object.entries({
          cron: opts.cron,
          every: opts.every,
          at: opts.at,
          overlap: opts.overlap,
          from: opts.from,
          note: opts.note,
        }).filter(([, v]) => v !== undefined),
      );
      const view = await ctx.client().request<ScheduleView>('POST', path(plan), { body: { json: body } });
      show(ctx, view, 'created');
    });

  schedule
    .command('list')
    .description("a plan's schedules, or every plan's")
    .argument('[plan]', 'plan id')
    .action(async (plan: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const { schedules } = await ctx
        .client()
        .request<{ schedules: ScheduleView[] }>('GET', plan ? path(plan) : '/schedules');
      if (ctx.json) return printJson(ctx.io, schedules);
      ctx.io.out(renderSchedules(schedules).join('\n'));
    });

  const actions: Array<[string, string, string]> = [
    ['pause', 'stop firing until resumed', 'paused'],
    ['resume', 'fire again', 'resumed'],
    ['trigger', 'fire now (under its overlap policy)', 'triggered'],
    ['delete', 'delete it (sessions it started go on)', 'deleted'],
  ];
  for (const [action, description, done] of actions) {
    const sub = schedule
      .command(action)
      .description(description)
      .argument('<plan>', 'plan id')
      .argument('<scheduleId>', 'schedule id (schedule list)');
    if (action === 'pause' || action === 'resume') sub.option('--note <text>', 'why (shown in Temporal)');
    sub.action(async (plan: string, scheduleId: string, opts: { note?: string }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const view =
        action === 'delete'
          ? await ctx.client().request<ScheduleView>('DELETE', path(plan, scheduleId))
          : await ctx.client().request<ScheduleView>('POST', path(plan, scheduleId, action), {
              body: { json: opts.note ? { note: opts.note } : {} },
            });
      show(ctx, view, done);
    });
  }
  return schedule;
}
