import { z } from 'zod';
import { zodIssues } from './zod-issues';
import { DomainError, ValidationError } from './errors';
import type { PlanState } from './state';

/**
 * Schedules of a finalized plan: run it at a time, every interval, or on a cron. The schedule itself
 * lives in Temporal (a Temporal Schedule whose action starts `scheduledPlanRunWorkflow`); this file
 * decides what may happen to it and keeps its recorded state in the plan's state, so that every
 * schedule action (create, pause, resume, trigger, delete) and every firing (fired, queued behind an
 * active session, skipped) is an event on the plan's stream.
 *
 * Overlap: a firing while a session of the plan is active is either refused (`refuse`: recorded as
 * ScheduleFiringSkipped) or queued (`queue`: recorded as ScheduleFiringQueued, it starts once that
 * session ends). See docs/schedules.md for how each maps onto Temporal's overlap policies.
 */

export const SCHEDULE_OVERLAPS = ['refuse', 'queue'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAPS)[number];
export const SCHEDULE_FROM = ['current', 'beginning'] as const;
export type ScheduleFrom = (typeof SCHEDULE_FROM)[number];

/** When a schedule fires: a cron expression (UTC), a fixed interval, or once at a time. */
export type ScheduleSpec =
  | { kind: 'cron'; cron: string }
  | { kind: 'every'; every: string; everyMs: number }
  | { kind: 'at'; at: string };

export type ScheduleStatus = 'active' | 'paused' | 'deleted' | 'failed';

/** The outcome of one firing, as recorded. */
export type ScheduleFiringOutcome =
  | { outcome: 'fired'; sessionId: string }
  | { outcome: 'queued'; behind: string }
  | { outcome: 'skipped'; reason: string };

export interface ScheduleFiring {
  firingId: string;
  outcome: ScheduleFiringOutcome['outcome'];
  sessionId: string | null;
  reason: string | null;
}

/** One schedule of a plan, as the plan's events tell it. */
export interface PlanSchedule {
  scheduleId: string;
  /** The Temporal Schedule's id (derived from the plan and schedule ids). */
  temporalScheduleId: string;
  spec: ScheduleSpec;
  overlap: ScheduleOverlap;
  note: string | null;
  author: string | null;
  /** Where each firing's session starts: `current` keeps completed tasks (as execute does), `beginning` runs all again. */
  from: ScheduleFrom;
  status: ScheduleStatus;
  /** Why Temporal refused to create it (status `failed`). */
  failure: string | null;
  /** Firings that started a session, and firings refused. */
  fired: number;
  skipped: number;
  triggered: number;
  lastFiring: ScheduleFiring | null;
}

/** The shortest interval a schedule may fire at. */
export const MIN_SCHEDULE_INTERVAL_MS = 1000;
const MAX_SCHEDULE_INTERVAL_MS = 366 * 24 * 3600 * 1000;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `90s`, `15m`, `1h30m`, `2d` → milliseconds; null when it is not such a duration. */
export function parseScheduleInterval(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return null;
  const [, d, h, min, s] = m;
  return (
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(min ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s
  );
}

const CRON_MACROS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES },
];

/**
 * Checks a five-field cron expression (minute hour day-of-month month day-of-week, UTC) or one of
 * the macros (@hourly, @daily, …). Returns the problem, or null when it is fine. Temporal checks it
 * again when the schedule is created; its refusal is a 400 as well.
 */
export function cronProblem(cron: string): string | null {
  const text = cron.trim();
  if (text.startsWith('@'))
    return CRON_MACROS.has(text.toLowerCase())
      ? null
      : `unknown cron macro "${text}" (use @hourly, @daily, @weekly, @monthly or @yearly, or five fields)`;
  const fields = text.split(/\s+/);
  if (fields.length !== 5)
    return `a cron expression has five fields (minute hour day-of-month month day-of-week); "${text}" has ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = cronFieldProblem(fields[i], CRON_FIELDS[i]);
    if (problem) return `cron field ${i + 1} (${CRON_FIELDS[i].name}) "${fields[i]}": ${problem}`;
  }
  return null;
}

function cronFieldProblem(field: string, spec: (typeof CRON_FIELDS)[number]): string | null {
  const value = (v: string): number | null => {
    if (/^\d+$/.test(v)) return Number(v);
    const named = spec.names?.indexOf(v.toUpperCase()) ?? -1;
    if (named < 0) return null;
    return spec.names === MONTH_NAMES ? named + 1 : named;
  };
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === '') return 'malformed';
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `step "${step}" is not a positive number`;
    if (range === '*' || (range === '?' && spec.name.startsWith('day'))) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return 'malformed range';
    const values = bounds.map(value);
    if (values.some((v) => v === null)) return `"${range}" is not a number${spec.names ? ' or name' : ''}`;
    for (const v of values as number[])
      if (v < spec.min || v > spec.max) return `${v} is outside ${spec.min}-${spec.max}`;
    if (values.length === 2 && values[0]! > values[1]!) return `range "${range}" runs backwards`;
  }
  return null;
}

/** The body of a schedule request (REST, CLI, gRPC): exactly one of cron, every, at. */
export const scheduleRequestSchema = z
  .object({
    cron: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Five-field cron expression in UTC (e.g. "0 3 * * 1-5") or @hourly/@daily/@weekly/@monthly.'),
    every: z.string().trim().max(40).optional().describe('A fixed interval: 30s, 15m, 1h30m, 2d.'),
    at: z.string().trim().max(60).optional().describe('Once, at this ISO-8601 time (with Z or an offset).'),
    overlap: z
      .enum(SCHEDULE_OVERLAPS)
      .default('refuse')
      .describe(
        'A firing while a session of the plan is active: refuse (recorded as skipped; default) or queue (runs once that session ends).',
      ),
    from: z
      .enum(SCHEDULE_FROM)
      .default('current')
      .describe(
        "Each firing's session: current (default, as execute) keeps completed tasks; beginning runs every task again.",
      ),
    note: z.string().max(2000).optional(),
  })
  .strict();

export type ScheduleRequest = z.input<typeof scheduleRequestSchema>;

/** The schedule a request describes, checked against `now` (ms): a 400 naming every problem otherwise. */
export function parseScheduleRequest(
  input: unknown,
  now: number,
): { spec: ScheduleSpec; overlap: ScheduleOverlap; from: ScheduleFrom; note: string | null } {
  const parsed = scheduleRequestSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error), 'invalid schedule');
  const { cron, every, at, overlap, from, note } = parsed.data;
  const given = [cron, every, at].filter((v) => v !== undefined).length;
  const invalid = (message: string, path: string) =>
    new ValidationError([{ code: 'schema', message, path }], 'invalid schedule');
  if (given !== 1)
    throw invalid(
      given === 0 ? 'give one of cron, every or at' : 'give only one of cron, every or at',
      given === 0 ? '' : 'cron',
    );
  let spec: ScheduleSpec;
  if (cron !== undefined) {
    const problem = cronProblem(cron);
    if (problem) throw invalid(problem, 'cron');
    spec = { kind: 'cron', cron };
  } else if (every !== undefined) {
    const ms = parseScheduleInterval(every);
    if (ms === null) throw invalid(`"${every}" is not an interval such as 30s, 15m, 1h30m or 2d`, 'every');
    if (ms < MIN_SCHEDULE_INTERVAL_MS) throw invalid('the interval must be at least 1s', 'every');
    if (ms > MAX_SCHEDULE_INTERVAL_MS) throw invalid('the interval must be at most 366d', 'every');
    spec = { kind: 'every', every, everyMs: ms };
  } else {
    const text = at!;
    const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
      ? Date.parse(text)
      : NaN;
    if (Number.isNaN(time))
      throw invalid(`"${text}" is not an ISO-8601 time with a zone (e.g. 2030-01-31T09:00:00Z)`, 'at');
    if (time <= now) throw invalid(`${text} is in the past`, 'at');
    spec = { kind: 'at', at: new Date(Math.floor(time / 1000) * 1000).toISOString() };
  }
  return { spec, overlap, from, note: note?.trim() || null };
}

/** A short human description of when a schedule fires. */
export function describeScheduleSpec(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'cron':
      return `cron ${spec.cron} (UTC)`;
    case 'every':
      return `every ${spec.every}`;
    case 'at':
      return `once at ${spec.at}`;
  }
}

// ---- commands and events (on the plan's stream) ----

export type ScheduleCommand =
  | {
      type: 'CreateSchedule';
      scheduleId: string;
      temporalScheduleId: string;
      /** The request body; checked here (400 naming the problem). */
      request: unknown;
      /** The time `at` is checked against (the caller's clock: the domain reads none). */
      now: number;
      author?: string | null;
    }
  | { type: 'RecordScheduleCreationFailed'; scheduleId: string; reason: string }
  | { type: 'PauseSchedule'; scheduleId: string; note?: string | null }
  | { type: 'ResumeSchedule'; scheduleId: string; note?: string | null }
  | { type: 'TriggerSchedule'; scheduleId: string }
  | { type: 'DeleteSchedule'; scheduleId: string }
  | ({ type: 'RecordScheduleFiring'; scheduleId: string; firingId: string } & ScheduleFiringOutcome);

interface Base {
  revision: number;
  scheduleId: string;
}

export type ScheduleEvent =
  | {
      type: 'ScheduleCreated';
      data: Base & {
        temporalScheduleId: string;
        spec: ScheduleSpec;
        overlap: ScheduleOverlap;
        from: ScheduleFrom;
        note: string | null;
        author: string | null;
      };
    }
  | { type: 'ScheduleCreationFailed'; data: Base & { reason: string } }
  | { type: 'SchedulePaused'; data: Base & { note: string | null } }
  | { type: 'ScheduleResumed'; data: Base & { note: string | null } }
  | { type: 'ScheduleTriggered'; data: Base }
  | { type: 'ScheduleDeleted'; data: Base }
  | { type: 'ScheduleFired'; data: Base & { firingId: string; sessionId: string } }
  | { type: 'ScheduleFiringQueued'; data: Base & { firingId: string; behind: string } }
  | { type: 'ScheduleFiringSkipped'; data: Base & { firingId: string; reason: string } };

export const SCHEDULE_EVENT_TYPES: readonly ScheduleEvent['type'][] = [
  'ScheduleCreated',
  'ScheduleCreationFailed',
  'SchedulePaused',
  'ScheduleResumed',
  'ScheduleTriggered',
  'ScheduleDeleted',
  'ScheduleFired',
  'ScheduleFiringQueued',
  'ScheduleFiringSkipped',
];

const SCHEDULE_COMMANDS: ReadonlySet<string> = new Set<ScheduleCommand['type']>([
  'CreateSchedule',
  'RecordScheduleCreationFailed',
  'PauseSchedule',
  'ResumeSchedule',
  'TriggerSchedule',
  'DeleteSchedule',
  'RecordScheduleFiring',
]);
const SCHEDULE_EVENTS: ReadonlySet<string> = new Set(SCHEDULE_EVENT_TYPES);

export const isScheduleCommand = (c: { type: string }): c is ScheduleCommand => SCHEDULE_COMMANDS.has(c.type);
export const isScheduleEvent = (e: { type: string }): e is ScheduleEvent => SCHEDULE_EVENTS.has(e.type);

/** The plan's schedules (states stored before schedules existed have none). */
export const planSchedules = (state: PlanState): Record<string, PlanSchedule> => state.schedules ?? {};

/** The schedules that still exist (not deleted, not failed to create), oldest first. */
export const liveSchedules = (state: PlanState): PlanSchedule[] =>
  Object.values(planSchedules(state)).filter((s) => s.status === 'active' || s.status === 'paused');

function existing(state: PlanState, scheduleId: string): PlanSchedule {
  const schedule = planSchedules(state)[scheduleId];
  if (!schedule || schedule.status === 'failed')
    throw new DomainError('schedule_not_found', `plan ${state.planId} has no schedule ${scheduleId}`);
  return schedule;
}

function notDeleted(state: PlanState, scheduleId: string): PlanSchedule {
  const schedule = existing(state, scheduleId);
  if (schedule.status === 'deleted')
    throw new DomainError('invalid_transition', `schedule ${scheduleId} of plan ${state.planId} was deleted`);
  return schedule;
}

function executable(state: PlanState, what: string): void {
  if (state.archived) throw new DomainError('plan_archived', `plan ${state.planId} is archived`);
  if (state.status === 'draft')
    throw new DomainError(
      'invalid_transition',
      `plan ${state.planId} is a draft; finalize it before you ${what}`,
    );
}

/** The events of a schedule command (the plan exists: the write path checks that first). */
export function decideSchedule(command: ScheduleCommand, state: PlanState): ScheduleEvent[] {
  const base = { revision: state.revision, scheduleId: command.scheduleId };
  switch (command.type) {
    case 'CreateSchedule': {
      executable(state, 'schedule it');
      if (planSchedules(state)[command.scheduleId])
        throw new DomainError('invalid_transition', `schedule ${command.scheduleId} exists already`);
      const { spec, overlap, from, note } = parseScheduleRequest(command.request, command.now);
      return [
        {
          type: 'ScheduleCreated',
          data: {
            ...base,
            temporalScheduleId: command.temporalScheduleId,
            spec,
            overlap,
            from,
            note,
            author: command.author ?? null,
          },
        },
      ];
    }
    case 'RecordScheduleCreationFailed': {
      const schedule = planSchedules(state)[command.scheduleId];
      // Only a schedule just recorded can fail to be created; anything else is a retry already done.
      if (!schedule || schedule.status !== 'active' || schedule.fired + schedule.skipped > 0) return [];
      return [{ type: 'ScheduleCreationFailed', data: { ...base, reason: command.reason } }];
    }
    case 'PauseSchedule': {
      const schedule = notDeleted(state, command.scheduleId);
      if (schedule.status === 'paused')
        throw new DomainError('invalid_transition', `schedule ${command.scheduleId} is paused already`);
      return [{ type: 'SchedulePaused', data: { ...base, note: command.note ?? null } }];
    }
    case 'ResumeSchedule': {
      const schedule = notDeleted(state, command.scheduleId);
      if (schedule.status !== 'paused')
        throw new DomainError('invalid_transition', `schedule ${command.scheduleId} is not paused`);
      return [{ type: 'ScheduleResumed', data: { ...base, note: command.note ?? null } }];
    }
    case 'TriggerSchedule': {
      const schedule = notDeleted(state, command.scheduleId);
      executable(state, 'run it');
      if (schedule.status === 'paused')
        throw new DomainError(
          'invalid_transition',
          `schedule ${command.scheduleId} is paused; resume it first`,
        );
      return [{ type: 'ScheduleTriggered', data: base }];
    }
    case 'DeleteSchedule': {
      notDeleted(state, command.scheduleId);
      return [{ type: 'ScheduleDeleted', data: base }];
    }
    case 'RecordScheduleFiring': {
      const schedule = existing(state, command.scheduleId);
      const last = schedule.lastFiring;
      // A retried activity records the same firing again: nothing new.
      if (last?.firingId === command.firingId && last.outcome === command.outcome) return [];
      const firing = { ...base, firingId: command.firingId };
      switch (command.outcome) {
        case 'fired':
          return [{ type: 'ScheduleFired', data: { ...firing, sessionId: command.sessionId } }];
        case 'queued':
          return [{ type: 'ScheduleFiringQueued', data: { ...firing, behind: command.behind } }];
        case 'skipped':
          return [{ type: 'ScheduleFiringSkipped', data: { ...firing, reason: command.reason } }];
      }
    }
  }
}

/** Folds a schedule event into the plan's state (the plan's content and revision do not change). */
export function evolveSchedule(state: PlanState, event: ScheduleEvent): PlanState {
  const schedules = planSchedules(state);
  const { scheduleId } = event.data;
  if (event.type === 'ScheduleCreated') {
    const { temporalScheduleId, spec, overlap, from, note, author } = event.data;
    const created: PlanSchedule = {
      scheduleId,
      temporalScheduleId,
      spec,
      overlap,
      note,
      author,
      from,
      status: 'active',
      failure: null,
      fired: 0,
      skipped: 0,
      triggered: 0,
      lastFiring: null,
    };
    return { ...state, schedules: { ...schedules, [scheduleId]: created } };
  }
  const schedule = schedules[scheduleId];
  if (!schedule) return state;
  const next = ((): PlanSchedule => {
    switch (event.type) {
      case 'ScheduleCreationFailed':
        return { ...schedule, status: 'failed', failure: event.data.reason };
      case 'SchedulePaused':
        return { ...schedule, status: 'paused' };
      case 'ScheduleResumed':
        return { ...schedule, status: 'active' };
      case 'ScheduleTriggered':
        return { ...schedule, triggered: schedule.triggered + 1 };
      case 'ScheduleDeleted':
        return { ...schedule, status: 'deleted' };
      case 'ScheduleFired':
        return {
          ...schedule,
          fired: schedule.fired + 1,
          lastFiring: {
            firingId: event.data.firingId,
            outcome: 'fired',
            sessionId: event.data.sessionId,
            reason: null,
          },
        };
      case 'ScheduleFiringQueued':
        return {
          ...schedule,
          lastFiring: {
            firingId: event.data.firingId,
            outcome: 'queued',
            sessionId: event.data.behind,
            reason: null,
          },
        };
      case 'ScheduleFiringSkipped':
        return {
          ...schedule,
          skipped: schedule.skipped + 1,
          lastFiring: {
            firingId: event.data.firingId,
            outcome: 'skipped',
            sessionId: null,
            reason: event.data.reason,
          },
        };
    }
  })();
  return { ...state, schedules: { ...schedules, [scheduleId]: next } };
}
