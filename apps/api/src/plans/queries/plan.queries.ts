import { Query } from '@nestjs/cqrs';
import type { Task } from '@chunkwise/domain';
import type { PlanDetail, PlanDetailJson, PlanListFilter, PlanSummary } from '@chunkwise/read-models';
import type { z } from 'zod';
import type {
  chunkListSchema,
  planHistorySchema,
  taskListSchema,
  ValidationResult,
} from '../../common/api-schemas';

export class ListPlansQuery extends Query<PlanSummary[]> {
  constructor(readonly filter: PlanListFilter) {
    super();
  }
}

export class GetPlanQuery extends Query<PlanDetail> {
  constructor(readonly planId: string) {
    super();
  }
}

/** The current detail as JSON bytes (what GET /plans/:id sends), served from the store's cache when it has one. */
export class GetPlanJsonQuery extends Query<PlanDetailJson> {
  constructor(readonly planId: string) {
    super();
  }
}

/** The plan as it was at a past revision, folded from the event store. */
export class GetPlanAtRevisionQuery extends Query<PlanDetail> {
  constructor(
    readonly planId: string,
    readonly revision: number,
  ) {
    super();
  }
}

export class GetPlanHistoryQuery extends Query<z.output<typeof planHistorySchema>> {
  constructor(readonly planId: string) {
    super();
  }
}

export class ListChunksQuery extends Query<z.output<typeof chunkListSchema>> {
  constructor(readonly planId: string) {
    super();
  }
}

export class ListTasksQuery extends Query<z.output<typeof taskListSchema>> {
  constructor(readonly planId: string) {
    super();
  }
}

export class GetTaskQuery extends Query<Task> {
  constructor(
    readonly planId: string,
    readonly taskId: string,
  ) {
    super();
  }
}

/** Checks a stored plan against the finalize rules (requireTasks), without changing it. */
export class ValidatePlanQuery extends Query<ValidationResult> {
  constructor(readonly planId: string) {
    super();
  }
}

/** Checks a plan document (and the finalize rules) without storing anything. */
export class ValidatePlanDocumentQuery extends Query<ValidationResult> {
  constructor(readonly document: unknown) {
    super();
  }
}
