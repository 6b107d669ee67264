import { randomBytes } from 'node:crypto';
import {
  describeScheduleSpec,
  DomainError,
  liveSchedules,
  planSchedules,
  type PlanSchedule,
  type PlanState,
  type ScheduleCommand,
} from '@chunkwise/domain';
import { planScheduleId, type ScheduledRunInput } from '@chunkwise/contracts';
import { eventIdFromKey } from '@chunkwise/event-store';
import { PlanNotFoundError, TemporalUnavailableError } from '../errors';
import type { PlanCommandService } from '../plan-command-service';
import type { PlanSchedules, ScheduleDefinition, ScheduleLiveInfo } from './plan-schedules';

/** A schedule as the API shows it: what the plan recorded, and what Temporal says now. */
export interface ScheduleView extends PlanSchedule {
  planId: string;
  /** When it fires, in words. */
  description: string;
  /** Temporal's description; null when Temporal has no such schedule or cannot be reached (see `temporalNote`). */
  temporal: ScheduleLiveInfo | null;
  temporalNote?: string;
}

export interface ScheduleServiceOptions {
  /** Activity timing knobs for the sessions schedules start (tests shorten them). */
  timing?: ScheduledRunInput['timing'];
  /** The clock `at` times are checked against. */
  now?: () => number;
}

export interface ScheduleActionOptions {
  /** Who asked (recorded in event metadata). */
  actor?: string;
  note?: string | null;
}

const newScheduleId = () => `sch_${randomBytes(5).toString('hex')}`;
const MISSING =
  'Temporal has no such schedule (its creation was interrupted): pause, resume or trigger re-creates it';

/**
 * Schedules of finalized plans: each is a Temporal Schedule whose action starts
 * `scheduledPlanRunWorkflow`, and each action on it is an event on the plan's stream.
 *
 * Order of writes: the plan's event is recorded first (through the write path, so the domain decides),
 * then Temporal is told. The plan's state is the truth and Temporal follows it:
 * - a crash after the record and before Temporal's call leaves a recorded schedule that Temporal
 *   lacks (create) or that Temporal has in its old state (pause, resume, delete). Nothing is lost: the
 *   recorded spec re-creates it (any later pause, resume or trigger does so), a retried action that
 *   the domain refuses as done already still brings Temporal in line (`sync`), and a firing checks the
 *   plan's state first (a firing of a schedule recorded paused or deleted is skipped and recorded).
 * - Temporal never holds a schedule the plan has not recorded: the Temporal id derives from the plan
 *   and schedule ids (`planScheduleId`), created only after ScheduleCreated is stored; if Temporal
 *   refuses it, ScheduleCreationFailed is recorded and the request answers 400.
 */
export class ScheduleService {
  constructor(
    private readonly plans: PlanCommandService,
    private readonly schedules: PlanSchedules,
    private readonly options: ScheduleServiceOptions = {},
  ) {}

  private async existing(planId: string): Promise<PlanState> {
    const { state } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    return state;
  }

  private definition(state: PlanState, schedule: PlanSchedule): ScheduleDefinition {
    return {
      temporalScheduleId: schedule.temporalScheduleId,
      planId: state.planId,
      scheduleId: schedule.scheduleId,
      spec: schedule.spec,
      overlap: schedule.overlap,
      note: schedule.note,
      paused: schedule.status === 'paused',
      planTitle: state.content.title,
      timing: this.options.timing,
    };
  }

  async create(planId: string, request: unknown, options: ScheduleActionOptions = {}): Promise<ScheduleView> {
    await this.existing(planId);
    // Nothing is recorded while Temporal cannot be reached.
    await this.schedules.ensureReachable();
    const scheduleId = newScheduleId();
    const temporalScheduleId = planScheduleId(planId, scheduleId);
    const { state } = await this.plans.execute(
      planId,
      {
        type: 'CreateSchedule',
        scheduleId,
        temporalScheduleId,
        request,
        now: (this.options.now ?? Date.now)(),
        author: options.actor ?? null,
      },
      { actor: options.actor, eventId: () => eventIdFromKey(`${temporalScheduleId}/created`) },
    );
    const schedule = planSchedules(state)[scheduleId];
    try {
      await this.schedules.create(this.definition(state, schedule));
    } catch (e) {
      const reason = `Temporal did not create the schedule: ${e instanceof Error ? e.message : String(e)}`;
      await this.plans.execute(
        planId,
        { type: 'RecordScheduleCreationFailed', scheduleId, reason },
        { actor: options.actor, eventId: () => eventIdFromKey(`${temporalScheduleId}/failed`) },
      );
      // A create whose answer was lost may have made it: the schedule is recorded failed, so it must go.
      if (!(e instanceof DomainError)) await this.schedules.delete(temporalScheduleId).catch(() => false);
      throw e;
    }
    return this.view(state, schedule);
  }

  /** The plan's schedules (not deleted), each with Temporal's description. */
  async list(planId: string): Promise<ScheduleView[]> {
    const state = await this.existing(planId);
    return Promise.all(liveSchedules(state).map((s) => this.view(state, s)));
  }

  async get(planId: string, scheduleId: string): Promise<ScheduleView> {
    const state = await this.existing(planId);
    const schedule = planSchedules(state)[scheduleId];
    if (!schedule || schedule.status === 'failed')
      throw new DomainError('schedule_not_found', `plan ${planId} has no schedule ${scheduleId}`);
    return this.view(state, schedule);
  }

  /**
   * Every plan's schedules that Temporal lists (a schedule whose creation was interrupted shows only
   * in its plan's list), each as its plan recorded it.
   */
  async listAll(): Promise<ScheduleView[]> {
    const listed = await this.schedules.list();
    const views: ScheduleView[] = [];
    const states = new Map<string, PlanState | null>();
    for (const item of listed) {
      if (!states.has(item.planId))
        states.set(
          item.planId,
          await this.plans.load(item.planId).then((l) => (l.state.exists ? l.state : null)),
        );
      const state = states.get(item.planId);
      const schedule = state && planSchedules(state)[item.scheduleId];
      if (!state || !schedule || (schedule.status !== 'active' && schedule.status !== 'paused')) continue;
      views.push(await this.view(state, schedule));
    }
    return views;
  }

  pause(planId: string, scheduleId: string, options: ScheduleActionOptions = {}): Promise<ScheduleView> {
    return this.setPaused(planId, scheduleId, true, options);
  }

  resume(planId: string, scheduleId: string, options: ScheduleActionOptions = {}): Promise<ScheduleView> {
    return this.setPaused(planId, scheduleId, false, options);
  }

  private async setPaused(
    planId: string,
    scheduleId: string,
    paused: boolean,
    options: ScheduleActionOptions,
  ): Promise<ScheduleView> {
    const note = options.note ?? null;
    const { state, schedule } = await this.record(
      planId,
      { type: paused ? 'PauseSchedule' : 'ResumeSchedule', scheduleId, note },
      options,
    );
    const id = schedule.temporalScheduleId;
    const done = paused ? await this.schedules.pause(id, note) : await this.schedules.unpause(id, note);
    // Temporal lacks it (its creation was interrupted): the recorded spec re-creates it, in its new state.
    if (!done) await this.schedules.create(this.definition(state, schedule));
    return this.view(state, schedule);
  }

  /** Fires now (under the schedule's overlap policy); what the firing did is recorded by the firing. */
  async trigger(
    planId: string,
    scheduleId: string,
    options: ScheduleActionOptions = {},
  ): Promise<ScheduleView> {
    const { state, schedule } = await this.record(planId, { type: 'TriggerSchedule', scheduleId }, options);
    const id = schedule.temporalScheduleId;
    if (!(await this.schedules.trigger(id, schedule.overlap))) {
      await this.schedules.create(this.definition(state, schedule));
      await this.schedules.trigger(id, schedule.overlap);
    }
    return this.view(state, schedule);
  }

  /** Deletes the schedule; sessions it started go on. */
  async delete(
    planId: string,
    scheduleId: string,
    options: ScheduleActionOptions = {},
  ): Promise<ScheduleView> {
    const { schedule } = await this.record(planId, { type: 'DeleteSchedule', scheduleId }, options);
    await this.schedules.delete(schedule.temporalScheduleId);
    return { ...schedule, planId, description: describeScheduleSpec(schedule.spec), temporal: null };
  }

  /** Records the action (the domain decides); a refusal as done already still brings Temporal in line. */
  private async record(
    planId: string,
    command: Extract<ScheduleCommand, { scheduleId: string }>,
    options: ScheduleActionOptions,
  ): Promise<{ state: PlanState; schedule: PlanSchedule }> {
    await this.existing(planId);
    await this.schedules.ensureReachable();
    try {
      const { state } = await this.plans.execute(planId, command, { actor: options.actor });
      return { state, schedule: planSchedules(state)[command.scheduleId] };
    } catch (e) {
      if (e instanceof DomainError && e.code === 'invalid_transition')
        await this.sync(planId, command.scheduleId).catch(() => undefined);
      throw e;
    }
  }

  /** Brings Temporal's schedule to the recorded state (paused, active, deleted); never re-creates one. */
  private async sync(planId: string, scheduleId: string): Promise<void> {
    const schedule = planSchedules(await this.existing(planId))[scheduleId];
    if (!schedule) return;
    const id = schedule.temporalScheduleId;
    if (schedule.status === 'deleted' || schedule.status === 'failed') await this.schedules.delete(id);
    else if (schedule.status === 'paused') await this.schedules.pause(id, schedule.note);
    else await this.schedules.unpause(id, schedule.note);
  }

  private async view(state: PlanState, schedule: PlanSchedule): Promise<ScheduleView> {
    const base = { ...schedule, planId: state.planId, description: describeScheduleSpec(schedule.spec) };
    try {
      const temporal = await this.schedules.describe(schedule.temporalScheduleId);
      return temporal ? { ...base, temporal } : { ...base, temporal: null, temporalNote: MISSING };
    } catch (e) {
      if (e instanceof TemporalUnavailableError) return { ...base, temporal: null, temporalNote: e.message };
      throw e;
    }
  }
}
