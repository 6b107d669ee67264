import { fold, planStreamId } from '@chunkwise/domain';
import {
  detailOf,
  emptyProjectedPlan,
  normalizeTimestamp,
  planIdOfStream,
  projectBatch,
  projectPlanEvent,
  ProjectionError,
  summaryOf,
  type ProjectedPlan,
} from './plan-projection';
import { PlanEventLog } from '../../../test/support/read-models/plan-event-log';

const doc = {
  title: 'Auth',
  repository: 'git@example.com:acme/app.git',
  chunks: [{ key: 'C01_base' }, { key: 'C02_api', title: 'API' }],
  tasks: [
    { id: 'T1', chunk: 'C01_base', title: 'schema', status: 'completed' },
    { id: 'T2', chunk: 'C01_base', title: 'models', dependsOn: ['T1'] },
    { id: 'T3', chunk: 'C02_api', title: 'routes', dependsOn: ['T2'], status: 'skipped' },
    { id: 'T4', chunk: 'C02_api', title: 'tests', status: 'failed' },
  ],
};

function project(events: ReturnType<PlanEventLog['stream']>, planId = 'p1'): ProjectedPlan {
  let plan = emptyProjectedPlan(planId);
  for (const e of events) plan = projectPlanEvent(plan, e)?.plan ?? plan;
  return plan;
}

describe('plan projection (pure)', () => {
  it('maps plan streams to plan ids and ignores other streams', () => {
    expect(planIdOfStream('plan-abc')).toBe('abc');
    expect(planIdOfStream('plan-')).toBeNull();
    expect(planIdOfStream('session-abc')).toBeNull();
  });

  it('derives the list row and the detail from the domain fold', () => {
    const log = new PlanEventLog();
    log.execute('p1', { type: 'CreatePlan', planId: 'p1', document: doc });
    log.execute('p1', { type: 'RecordFeedback', feedback: 'split T2', author: 'ana' });
    log.execute('p1', { type: 'UpdatePlanDetails', changes: { title: 'Auth v2' } });
    log.execute('p1', { type: 'AddTask', task: { id: 'T5', chunk: 'C01_base', title: 'seed' } });
    log.execute('p1', { type: 'FinalizePlan' });
    const events = log.stream(planStreamId('p1'));
    const plan = project(events);

    expect(plan.state).toEqual(fold(events));
    expect(summaryOf(plan)).toEqual({
      id: 'p1',
      title: 'Auth v2',
      description: '',
      status: 'ready',
      archived: false,
      revision: 3,
      finalizedRevision: 3,
      repository: 'git@example.com:acme/app.git',
      chunkCount: 2,
      taskCount: 5,
      completedCount: 1,
      failedCount: 1,
      progress: 2 / 5,
      createdAt: events[0].recordedAt,
      updatedAt: events[4].recordedAt,
    });
    const detail = detailOf(plan);
    expect(detail.chunks.map((c) => [c.key, c.tasks.map((t) => t.id)])).toEqual([
      ['C01_base', ['T1', 'T2', 'T5']],
      ['C02_api', ['T3', 'T4']],
    ]);
    expect(detail.chunks[0].stats).toEqual({
      chunks: 1,
      tasks: 3,
      byStatus: { pending: 2, running: 0, completed: 1, failed: 0, skipped: 0 },
      progress: 1 / 3,
    });
    expect(detail.chunks[1].stats.progress).toBe(1 / 2);
    expect(detail.stats.tasks).toBe(5);
    expect(detail.feedback).toEqual([{ revision: 1, feedback: 'split T2', author: 'ana', mode: null }]);
    expect(detail.streamRevision).toBe(4);
    expect(detail.description).toBe('');
  });

  it('records history rows with the revision after each event, and skips events already applied', () => {
    const log = new PlanEventLog();
    log.execute('p1', { type: 'CreatePlan', planId: 'p1', document: doc });
    log.execute('p1', { type: 'UpdatePlanDetails', changes: { description: 'd' } });
    log.execute('p1', { type: 'RecordFeedback', feedback: 'more tests' });
    const batch = projectBatch(log.events, () => undefined);
    expect(batch.checkpoint).toBe(3);
    expect(batch.history.map((h) => [h.streamRevision, h.revision, h.type])).toEqual([
      [0, 1, 'PlanCreated'],
      [1, 2, 'PlanDetailsUpdated'],
      [2, 2, 'FeedbackRecorded'],
    ]);
    expect(batch.plans).toHaveLength(1);
    const again = projectBatch(log.events, () => batch.plans[0]);
    expect(again.history).toEqual([]);
    expect(again.plans).toEqual([]);
    expect(again.checkpoint).toBe(3);
  });

  it('ignores unknown event types on a plan stream but records them, and only moves the checkpoint for other streams', () => {
    const log = new PlanEventLog();
    log.execute('p1', { type: 'CreatePlan', planId: 'p1', document: doc });
    log.append('session-1', 'SessionStarted', { planId: 'p1' });
    log.append(planStreamId('p1'), 'TaskExecutionStarted', { taskId: 'T2' });
    const batch = projectBatch(log.events, () => undefined);
    expect(batch.checkpoint).toBe(3);
    expect(batch.history.map((h) => [h.type, h.revision, h.streamRevision])).toEqual([
      ['PlanCreated', 1, 0],
      ['TaskExecutionStarted', 1, 1],
    ]);
    const [plan] = batch.plans;
    expect(plan.state).toEqual(fold(log.stream(planStreamId('p1')).slice(0, 1)));
    expect(plan.streamRevision).toBe(1);
    expect(plan.updatedAt).toBe(log.events[2].recordedAt);
    expect(plan.createdAt).toBe(log.events[0].recordedAt);
  });

  it('refuses a gap in a stream instead of skipping it', () => {
    const log = new PlanEventLog();
    log.execute('p1', { type: 'CreatePlan', planId: 'p1', document: doc });
    log.execute('p1', { type: 'RecordFeedback', feedback: 'a' });
    log.execute('p1', { type: 'RecordFeedback', feedback: 'b' });
    expect(() => projectBatch([log.events[0], log.events[2]], () => undefined)).toThrow(ProjectionError);
    expect(() => projectBatch([log.events[1]], () => undefined)).toThrow(/PlanCreated event is missing/);
  });

  it('normalizes timestamps to ISO-8601 UTC with milliseconds', () => {
    expect(normalizeTimestamp('2025-01-01T01:00:00+01:00')).toBe('2025-01-01T00:00:00.000Z');
    expect(normalizeTimestamp('not a time')).toBe('not a time');
  });

  it('gives what Date#toISOString gives for every input of the fast path and around it', () => {
    const samples = [
      '2026-12-03T14:52:52.123Z',
      '2026-02-28T23:59:59.999Z',
      '0001-01-01T00:00:00.000Z',
      // Outside the fast path: dates that roll over, hour 24, no milliseconds, offsets.
      '2026-02-30T00:00:00.000Z',
      '2026-02-29T12:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.5Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000+02:00',
    ];
    for (const value of samples) {
      const time = Date.parse(value);
      expect(normalizeTimestamp(value)).toBe(Number.isNaN(time) ? value : new Date(time).toISOString());
    }
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 7 * 3600_000 + 123)
      expect(normalizeTimestamp(new Date(t).toISOString())).toBe(new Date(t).toISOString());
  });
});
