import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PlanCommandService, PlanNotFoundError } from '@chunkwise/application';
import { DomainError, parsePlanDocument, stateAtRevision, type Task, validatePlan } from '@chunkwise/domain';
import {
  projectDetail,
  type PlanDetail,
  type PlanDetailJson,
  type PlanSummary,
  type ReadModelStore,
} from '@chunkwise/read-models';
import { READ_MODEL_STORE } from '../../infrastructure/tokens';
import type { ValidationResult } from '../../common/api-schemas';
import {
  GetPlanAtRevisionQuery,
  GetPlanHistoryQuery,
  GetPlanJsonQuery,
  GetPlanQuery,
  GetTaskQuery,
  ListChunksQuery,
  ListPlansQuery,
  ListTasksQuery,
  ValidatePlanDocumentQuery,
  ValidatePlanQuery,
} from './plan.queries';

/** Reads served from the read models (the projector keeps them current). */
abstract class ReadModelHandler {
  constructor(@Inject(READ_MODEL_STORE) protected readonly readModels: ReadModelStore) {}

  protected async plan(planId: string): Promise<PlanDetail> {
    const plan = await this.readModels.getPlan(planId);
    if (!plan) throw new PlanNotFoundError(planId);
    return plan;
  }
}

@QueryHandler(ListPlansQuery)
export class ListPlansHandler extends ReadModelHandler implements IQueryHandler<ListPlansQuery> {
  execute({ filter }: ListPlansQuery): Promise<PlanSummary[]> {
    return this.readModels.listPlans(filter);
  }
}

@QueryHandler(GetPlanQuery)
export class GetPlanHandler extends ReadModelHandler implements IQueryHandler<GetPlanQuery> {
  execute({ planId }: GetPlanQuery): Promise<PlanDetail> {
    return this.plan(planId);
  }
}

@QueryHandler(GetPlanJsonQuery)
export class GetPlanJsonHandler extends ReadModelHandler implements IQueryHandler<GetPlanJsonQuery> {
  async execute({ planId }: GetPlanJsonQuery): Promise<PlanDetailJson> {
    if (this.readModels.getPlanJson) {
      const json = await this.readModels.getPlanJson(planId);
      if (!json) throw new PlanNotFoundError(planId);
      return json;
    }
    const plan = await this.plan(planId);
    return {
      body: Buffer.from(JSON.stringify(plan)),
      revision: plan.revision,
      streamRevision: plan.streamRevision,
    };
  }
}

@QueryHandler(GetPlanAtRevisionQuery)
export class GetPlanAtRevisionHandler implements IQueryHandler<GetPlanAtRevisionQuery> {
  constructor(private readonly plans: PlanCommandService) {}

  async execute({ planId, revision }: GetPlanAtRevisionQuery): Promise<PlanDetail> {
    const { events, state: current } = await this.plans.load(planId);
    if (!current.exists) throw new PlanNotFoundError(planId);
    if (!Number.isInteger(revision) || revision < 1 || revision > current.revision) {
      throw new DomainError(
        'plan_not_found',
        `plan ${planId} has revisions 1..${current.revision}; there is no revision ${revision}`,
      );
    }
    // The events up to the last one that belongs to `revision` (feedback and finalize keep the revision).
    const upTo = events.findIndex((e) => {
      const r = (e.data as { revision?: unknown } | null)?.revision;
      return typeof r === 'number' && r > revision;
    });
    const prefix = upTo < 0 ? events : events.slice(0, upTo);
    const state = stateAtRevision(prefix, revision);
    if (!state) throw new PlanNotFoundError(planId);
    const last = prefix[prefix.length - 1];
    return projectDetail(planId, state, {
      createdAt: new Date(prefix[0].recordedAt).toISOString(),
      updatedAt: new Date(last.recordedAt).toISOString(),
      streamRevision: last.revision,
    });
  }
}

@QueryHandler(GetPlanHistoryQuery)
export class GetPlanHistoryHandler extends ReadModelHandler implements IQueryHandler<GetPlanHistoryQuery> {
  async execute({ planId }: GetPlanHistoryQuery) {
    const [entries, plan] = await Promise.all([
      this.readModels.getHistory(planId),
      this.readModels.getPlan(planId),
    ]);
    if (!entries || !plan) throw new PlanNotFoundError(planId);
    return { planId, entries, feedback: plan.feedback };
  }
}

@QueryHandler(ListChunksQuery)
export class ListChunksHandler extends ReadModelHandler implements IQueryHandler<ListChunksQuery> {
  async execute({ planId }: ListChunksQuery) {
    const plan = await this.plan(planId);
    return { planId, revision: plan.revision, chunks: plan.chunks };
  }
}

@QueryHandler(ListTasksQuery)
export class ListTasksHandler extends ReadModelHandler implements IQueryHandler<ListTasksQuery> {
  async execute({ planId }: ListTasksQuery) {
    const plan = await this.plan(planId);
    return { planId, revision: plan.revision, tasks: plan.chunks.flatMap((c) => c.tasks) };
  }
}

@QueryHandler(GetTaskQuery)
export class GetTaskHandler extends ReadModelHandler implements IQueryHandler<GetTaskQuery> {
  async execute({ planId, taskId }: GetTaskQuery): Promise<Task> {
    const plan = await this.plan(planId);
    const task = plan.chunks.flatMap((c) => c.tasks).find((t) => t.id === taskId);
    if (!task) throw new DomainError('task_not_found', `task ${taskId} not found in plan ${planId}`);
    return task;
  }
}

/** Validation reads the authoritative state (the event store), not a possibly lagging read model. */
@QueryHandler(ValidatePlanQuery)
export class ValidatePlanHandler implements IQueryHandler<ValidatePlanQuery> {
  constructor(private readonly plans: PlanCommandService) {}

  async execute({ planId }: ValidatePlanQuery): Promise<ValidationResult> {
    const { state } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    const issues = validatePlan(state.content, { requireTasks: true });
    return { valid: issues.length === 0, issues };
  }
}

@QueryHandler(ValidatePlanDocumentQuery)
export class ValidatePlanDocumentHandler implements IQueryHandler<ValidatePlanDocumentQuery> {
  async execute({ document }: ValidatePlanDocumentQuery): Promise<ValidationResult> {
    const parsed = parsePlanDocument(document);
    const issues = parsed.ok ? validatePlan(parsed.content, { requireTasks: true }) : parsed.issues;
    return { valid: issues.length === 0, issues };
  }
}

export const QUERY_HANDLERS = [
  ListPlansHandler,
  GetPlanHandler,
  GetPlanJsonHandler,
  GetPlanAtRevisionHandler,
  GetPlanHistoryHandler,
  ListChunksHandler,
  ListTasksHandler,
  GetTaskHandler,
  ValidatePlanHandler,
  ValidatePlanDocumentHandler,
];
