import { decide, fold } from './decider';
import { planAggregate, type PlanStreamCommand } from './plan-decider';
import { isPlanEvent } from './events';
import {
  cronProblem,
  liveSchedules,
  parseScheduleInterval,
  parseScheduleRequest,
  type ScheduleCommand,
} from './schedules';
import type { PlanState } from './state';

const NOW = Date.parse('2030-01-01T00:00:00Z');

function draftPlan(): PlanState {
  return fold(
    decide(
      {
        type: 'CreatePlan',
        planId: 'p',
        document: { title: 'p', repository: '/r', tasks: [{ id: 'T1', chunk: 'C01', title: 't' }] },
      },
      fold([]),
    ),
  );
}

const readyPlan = (): PlanState => {
  const draft = draftPlan();
  return fold(decide({ type: 'FinalizePlan' }, draft), draft);
};

/** Decides, checks, folds: what the write path does. */
function run(state: PlanState, command: PlanStreamCommand): PlanState {
  const events = planAggregate.decide(command, state);
  return events.reduce(planAggregate.evolve, state);
}

const create = (request: unknown, scheduleId = 'sch_1'): ScheduleCommand => ({
  type: 'CreateSchedule',
  scheduleId,
  temporalScheduleId: `chunkwise-schedule-p-${scheduleId}`,
  request,
  now: NOW,
  author: 'cli',
});

const refusal = (code: string, message?: RegExp) =>
  expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

describe('schedule requests', () => {
  it('accepts exactly one of cron, every, at; overlap defaults to refuse', () => {
    expect(parseScheduleRequest({ cron: '0 3 * * 1-5' }, NOW)).toEqual({
      spec: { kind: 'cron', cron: '0 3 * * 1-5' },
      overlap: 'refuse',
      from: 'current',
      note: null,
    });
    expect(
      parseScheduleRequest({ every: '1h30m', overlap: 'queue', from: 'beginning', note: ' nightly ' }, NOW),
    ).toEqual({
      spec: { kind: 'every', every: '1h30m', everyMs: 5_400_000 },
      overlap: 'queue',
      from: 'beginning',
      note: 'nightly',
    });
    expect(parseScheduleRequest({ at: '2030-01-02T09:00:00+02:00' }, NOW).spec).toEqual({
      kind: 'at',
      at: '2030-01-02T07:00:00.000Z',
    });
    expect(() => parseScheduleRequest({}, NOW)).toThrow(
      refusal('validation_failed', /one of cron, every or at/),
    );
    expect(() => parseScheduleRequest({ cron: '* * * * *', every: '1h' }, NOW)).toThrow(
      refusal('validation_failed', /only one/),
    );
    expect(() => parseScheduleRequest({ every: '1h', overlap: 'later' }, NOW)).toThrow(
      refusal('validation_failed'),
    );
    expect(() => parseScheduleRequest({ every: '1h', extra: 1 }, NOW)).toThrow(refusal('validation_failed'));
  });

  it('names what is wrong with a cron, an interval or a time', () => {
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('0 9 1,15 JAN-MAR MON-FRI')).toBeNull();
    expect(cronProblem('@daily')).toBeNull();
    expect(cronProblem('* * *')).toMatch(/five fields/);
    expect(cronProblem('61 * * * *')).toMatch(/minute.*61 is outside 0-59/);
    expect(cronProblem('* 5-2 * * *')).toMatch(/backwards/);
    expect(cronProblem('* * * FOO *')).toMatch(/not a number or name/);
    expect(cronProblem('@sometimes')).toMatch(/unknown cron macro/);
    expect(() => parseScheduleRequest({ cron: 'every day' }, NOW)).toThrow(
      refusal('validation_failed', /cron/),
    );

    expect(parseScheduleInterval('2s')).toBe(2000);
    expect(parseScheduleInterval('1d2h')).toBe(93_600_000);
    expect(parseScheduleInterval('soon')).toBeNull();
    expect(() => parseScheduleRequest({ every: 'soon' }, NOW)).toThrow(
      refusal('validation_failed', /interval/),
    );
    expect(() => parseScheduleRequest({ every: '0s' }, NOW)).toThrow(
      refusal('validation_failed', /at least 1s/),
    );

    expect(() => parseScheduleRequest({ at: 'tomorrow' }, NOW)).toThrow(
      refusal('validation_failed', /ISO-8601/),
    );
    expect(() => parseScheduleRequest({ at: '2030-01-02T09:00:00' }, NOW)).toThrow(
      refusal('validation_failed', /with a zone/),
    );
    expect(() => parseScheduleRequest({ at: '2029-12-31T23:00:00Z' }, NOW)).toThrow(
      refusal('validation_failed', /in the past/),
    );
  });
});

describe('the schedule decider on the plan stream', () => {
  it('schedules only a finalized plan that is not archived', () => {
    expect(() => planAggregate.decide(create({ every: '1h' }), draftPlan())).toThrow(
      refusal('invalid_transition', /draft; finalize it/),
    );
    const ready = readyPlan();
    const archived = run(ready, { type: 'ArchivePlan' });
    expect(() => planAggregate.decide(create({ every: '1h' }), archived)).toThrow(refusal('plan_archived'));
    expect(() => planAggregate.decide(create({ every: 'x' }), ready)).toThrow(refusal('validation_failed'));
  });

  it('creates, pauses, resumes, triggers and deletes, refusing what does not fit the state', () => {
    const ready = readyPlan();
    const events = planAggregate.decide(create({ every: '10m', note: 'n' }), ready);
    expect(events).toEqual([
      {
        type: 'ScheduleCreated',
        data: {
          revision: ready.revision,
          scheduleId: 'sch_1',
          temporalScheduleId: 'chunkwise-schedule-p-sch_1',
          spec: { kind: 'every', every: '10m', everyMs: 600_000 },
          overlap: 'refuse',
          from: 'current',
          note: 'n',
          author: 'cli',
        },
      },
    ]);
    expect(events.every(isPlanEvent)).toBe(true);
    let state = events.reduce(planAggregate.evolve, ready);
    // The plan's content and revision stay as they were.
    expect(state.revision).toBe(ready.revision);
    expect(state.content).toBe(ready.content);
    expect(state.schedules?.sch_1).toMatchObject({ status: 'active', overlap: 'refuse', fired: 0 });
    expect(() => planAggregate.decide(create({ every: '1h' }), state)).toThrow(
      refusal('invalid_transition', /exists/),
    );

    expect(() => run(state, { type: 'ResumeSchedule', scheduleId: 'sch_1' })).toThrow(
      refusal('invalid_transition', /not paused/),
    );
    state = run(state, { type: 'PauseSchedule', scheduleId: 'sch_1', note: 'holiday' });
    expect(state.schedules?.sch_1.status).toBe('paused');
    expect(() => run(state, { type: 'PauseSchedule', scheduleId: 'sch_1' })).toThrow(
      refusal('invalid_transition', /paused already/),
    );
    expect(() => run(state, { type: 'TriggerSchedule', scheduleId: 'sch_1' })).toThrow(
      refusal('invalid_transition', /resume it first/),
    );
    state = run(state, { type: 'ResumeSchedule', scheduleId: 'sch_1' });
    expect(state.schedules?.sch_1.status).toBe('active');
    state = run(state, { type: 'TriggerSchedule', scheduleId: 'sch_1' });
    expect(state.schedules?.sch_1.triggered).toBe(1);

    for (const type of ['PauseSchedule', 'ResumeSchedule', 'TriggerSchedule', 'DeleteSchedule'] as const)
      expect(() => run(state, { type, scheduleId: 'sch_nope' })).toThrow(
        refusal('schedule_not_found', /no schedule sch_nope/),
      );

    state = run(state, { type: 'DeleteSchedule', scheduleId: 'sch_1' });
    expect(state.schedules?.sch_1.status).toBe('deleted');
    expect(liveSchedules(state)).toEqual([]);
    for (const type of ['PauseSchedule', 'TriggerSchedule', 'DeleteSchedule'] as const)
      expect(() => run(state, { type, scheduleId: 'sch_1' })).toThrow(
        refusal('invalid_transition', /deleted/),
      );
  });

  it('records firings once each: fired, queued, skipped', () => {
    let state = run(readyPlan(), create({ every: '1m', overlap: 'queue' }));
    const fired = {
      type: 'RecordScheduleFiring',
      scheduleId: 'sch_1',
      firingId: 'f1',
      outcome: 'fired',
      sessionId: 's_1',
    } as const;
    const events = planAggregate.decide(fired, state);
    expect(events.map((e) => e.type)).toEqual(['ScheduleFired']);
    state = events.reduce(planAggregate.evolve, state);
    // A retried activity records the same firing again: nothing new.
    expect(planAggregate.decide(fired, state)).toEqual([]);
    state = run(state, { ...fired, firingId: 'f2', outcome: 'queued', behind: 's_1' } as ScheduleCommand);
    expect(state.schedules?.sch_1.lastFiring).toMatchObject({ firingId: 'f2', outcome: 'queued' });
    state = run(state, { ...fired, firingId: 'f2', sessionId: 's_2' });
    state = run(state, {
      type: 'RecordScheduleFiring',
      scheduleId: 'sch_1',
      firingId: 'f3',
      outcome: 'skipped',
      reason: 'session s_2 is running',
    });
    expect(state.schedules?.sch_1).toMatchObject({
      fired: 2,
      skipped: 1,
      lastFiring: { firingId: 'f3', outcome: 'skipped', reason: 'session s_2 is running' },
    });
    expect(() => run(state, { ...fired, scheduleId: 'sch_x' })).toThrow(refusal('schedule_not_found'));
  });

  it('records a creation Temporal refused, once; the schedule is then gone', () => {
    let state = run(readyPlan(), create({ cron: '0 0 31 2 *' }));
    const failed = {
      type: 'RecordScheduleCreationFailed',
      scheduleId: 'sch_1',
      reason: 'no such day',
    } as const;
    state = run(state, failed);
    expect(state.schedules?.sch_1).toMatchObject({ status: 'failed', failure: 'no such day' });
    expect(planAggregate.decide(failed, state)).toEqual([]);
    expect(liveSchedules(state)).toEqual([]);
    expect(() => run(state, { type: 'PauseSchedule', scheduleId: 'sch_1' })).toThrow(
      refusal('schedule_not_found'),
    );
  });
});
