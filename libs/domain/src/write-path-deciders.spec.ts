import { decide, fold } from './decider';
import { planAggregate } from './plan-decider';
import {
  repositoryAggregate,
  repositoryIndexAggregate,
  RepositoryExistsError,
  type Repository,
} from './repository';
import { sessionSettings } from './execution-settings';
import type { PlanState } from './state';

const agent = { type: 'command' as const, argv: ['true'] };

function readyPlan(): PlanState {
  const state = fold(
    decide(
      {
        type: 'CreatePlan',
        planId: 'p',
        document: { title: 'p', repository: '/r', tasks: [{ id: 'T1', chunk: 'C01', title: 't' }] },
      },
      fold([]),
    ),
  );
  return fold(decide({ type: 'FinalizePlan' }, state), state);
}

const request = (sessionId: string) =>
  ({
    type: 'RequestExecution',
    sessionId,
    workflowId: `wf-${sessionId}`,
    revision: 1,
    from: 'current',
    target: null,
    chunks: null,
    resumedFrom: null,
  }) as const;

describe('execution commands on the plan decider', () => {
  it('requests a session on a finalized plan, and refuses a second one while it is active', () => {
    const ready = readyPlan();
    const events = planAggregate.decide(request('s_1'), ready);
    expect(events.map((e) => e.type)).toEqual(['ExecutionRequested']);
    const running = events.reduce(planAggregate.evolve, ready);
    expect(running.status).toBe('running');
    expect(() => planAggregate.decide(request('s_2'), running)).toThrow(
      expect.objectContaining({ code: 'invalid_transition' }),
    );
  });

  it('records a start failure for the requested session only', () => {
    const running = planAggregate
      .decide(request('s_1'), readyPlan())
      .reduce(planAggregate.evolve, readyPlan());
    const fail = { type: 'RecordStartFailure', revision: 1, reason: 'down' } as const;
    expect(planAggregate.decide({ ...fail, sessionId: 's_other' }, running)).toEqual([]);
    const failed = planAggregate
      .decide({ ...fail, sessionId: 's_1' }, running)
      .reduce(planAggregate.evolve, running);
    expect(failed.status).toBe('failed');
  });

  it('records only execution events', () => {
    expect(() =>
      planAggregate.decide(
        { type: 'RecordExecutionEvents', events: [{ type: 'PlanArchived', data: { revision: 1 } } as never] },
        readyPlan(),
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_command' }));
  });
});

describe('the repository aggregates', () => {
  const repo: Repository = { id: 'r_0123456789ab', path: '/r', name: 'r', defaults: {}, registeredAt: 'now' };

  it('registers a path once, refusing a second registration with the first', () => {
    const state = repositoryAggregate
      .decide({ type: 'RegisterRepository', repository: repo }, null)
      .reduce(repositoryAggregate.evolve, null);
    expect(state).toEqual(repo);
    expect(() =>
      repositoryAggregate.decide({ type: 'RegisterRepository', repository: { ...repo, name: 'x' } }, state),
    ).toThrow(RepositoryExistsError);
  });

  it('indexes a repository once', () => {
    const ids = repositoryIndexAggregate
      .decide({ type: 'IndexRepository', id: repo.id }, [])
      .reduce(repositoryIndexAggregate.evolve, [] as string[]);
    expect(ids).toEqual([repo.id]);
    expect(repositoryIndexAggregate.decide({ type: 'IndexRepository', id: repo.id }, ids)).toEqual([]);
  });
});

describe('sessionSettings (the one place execution settings are resolved)', () => {
  it('layers repository defaults < plan settings < request options, key by key', () => {
    const settings = sessionSettings({
      repository: { agent, maxAttempts: 5, maxParallel: 2 },
      plan: { maxAttempts: 4, qaGates: [{ name: 'lint', argv: ['npm', 'run', 'lint'] }] },
      request: { maxAttempts: 1 },
    });
    expect(settings).toMatchObject({ agent: { type: 'command' }, maxAttempts: 1, maxParallel: 2 });
    expect(settings.qaGates.map((g) => g.name)).toEqual(['lint']);
  });

  it('names the layer at fault', () => {
    expect(() => sessionSettings({ plan: { maxAttempts: 0 } })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'execution.maxAttempts' })] }),
    );
    expect(() => sessionSettings({ plan: {} })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'execution.agent' })] }),
    );
  });
});
