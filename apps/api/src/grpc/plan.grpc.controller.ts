import { Controller, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Metadata } from '@grpc/grpc-js';
import type { ValidationIssue as DomainIssue } from '@chunkwise/domain';
import { type ExecuteResult, PlanningService, PlanNotFoundError } from '@chunkwise/application';
import type { ReadModelStore } from '@chunkwise/read-models';
import { z } from 'zod';
import {
  addChunkBodySchema,
  addTaskBodySchema,
  emptyWriteBodySchema,
  listPlansQuerySchema,
  reopenBodySchema,
  updateChunkBodySchema,
  updatePlanBodySchema,
  updateTaskBodySchema,
} from '../common/api-schemas';
import { RequestValidationError } from '../common/error-response';
import { exportQuerySchema, importBodySchema } from '../imports/import-schemas';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { READ_MODEL_STORE } from '../infrastructure/tokens';
import {
  applyBodySchema,
  diffQuerySchema,
  generateBodySchema,
  refineBodySchema,
  reviewBodySchema,
  suggestionSetView,
} from '../planning/planning-schemas';
import { ExportPlanQuery, ImportPlansCommand } from '../imports/import.commands';
import { newPlanId } from '../plans/plan-ids';
import {
  GetPlanAtRevisionQuery,
  GetPlanHistoryQuery,
  GetPlanQuery,
  ListPlansQuery,
  ValidatePlanDocumentQuery,
  ValidatePlanQuery,
} from '../plans/queries';
import { WritePlanCommand, type WriteOutcome } from '../plans/write-plan.command';
import type { PlanCommand } from '@chunkwise/domain';
import type { ValidationResult, WriteResult } from './generated/chunkwise/v1/common';
import {
  type AddChunkRequest,
  type ApplySuggestionsRequest,
  type DiffRevisionsRequest,
  type GeneratePlanRequest,
  type GetSuggestionsRequest,
  type GetUsageRequest,
  type RefinePlanRequest,
  type ReviewPlanRequest,
  type AddTaskRequest,
  type ArchivePlanRequest,
  type CreatePlanRequest,
  type ExportPlanRequest,
  type ExportPlanResponse,
  type FinalizePlanRequest,
  type GetHistoryRequest,
  type GetPlanRequest,
  type GetPlanResponse,
  type ImportPlanRequest,
  type ListPlansRequest,
  type ListPlansResponse,
  type PlanServiceController,
  PlanServiceControllerMethods,
  type RemoveChunkRequest,
  type RemoveTaskRequest,
  type ReopenPlanRequest,
  type UpdateChunkRequest,
  type UpdatePlanRequest,
  type UpdateTaskRequest,
  type ValidateDocumentRequest,
  type ValidatePlanRequest,
} from './generated/chunkwise/v1/plan';
import { GrpcAuthGuard } from './grpc-auth.guard';
import { GrpcExceptionFilter } from './grpc-exception.filter';
import { jsonField, required, validated, writeOptionsOf } from './grpc-request';

/** A plan document must be an object; its content is checked by the domain, which names every issue. */
const documentSchema = z.record(z.string(), z.unknown(), {
  error: 'the plan document must be a JSON object',
});

const writeResult = (outcome: WriteOutcome): { result: WriteResult } => ({
  result: { id: outcome.id, revision: outcome.revision },
});

const validationResult = (r: { valid: boolean; issues: DomainIssue[] }): { result: ValidationResult } => ({
  result: {
    valid: r.valid,
    issues: r.issues.map((i) => ({
      code: i.code,
      message: i.message,
      path: i.path ?? '',
      taskId: i.taskId ?? '',
      chunkKey: i.chunkKey ?? '',
    })),
  },
});

/** A JSON body that must not carry its own `expectedRevision` (it is a field of the request). */
const bodyOf = (json: string | undefined, field: string) => {
  const body = jsonField(json, field, {});
  if (body && typeof body === 'object' && !Array.isArray(body) && 'expectedRevision' in body)
    throw new RequestValidationError([
      {
        code: 'schema',
        path: `${field}.expectedRevision`,
        message: 'give expected_revision as its own field',
      },
    ]);
  return body;
};

const positiveRevision = (revision: number | undefined, field = 'revision') => {
  if (revision !== undefined && (!Number.isInteger(revision) || revision < 0))
    throw new RequestValidationError([
      { code: 'schema', path: field, message: `${field} must be a non-negative integer` },
    ]);
  return revision;
};

/**
 * gRPC `chunkwise.v1.PlanService`: an adapter over the same commands and queries as the REST plan
 * routes (PlansController, ChunksController, TasksController, ImportsController), validated by the
 * same schemas. No logic of its own.
 */
@Controller()
@UseGuards(GrpcAuthGuard)
@UseFilters(GrpcExceptionFilter)
@PlanServiceControllerMethods()
export class PlanGrpcController implements PlanServiceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly planning: PlanningService,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly sync: ProjectionSync,
  ) {}

  /** A planning write's answer once the read models hold it (as PlanningController.written). */
  private async planned(id: string, result: ExecuteResult): Promise<{ result: WriteResult }> {
    await this.sync.waitFor(result.position);
    return { result: { id, revision: result.revision } };
  }

  private async write(planId: string, command: PlanCommand, metadata: Metadata | undefined, rev?: number) {
    const outcome = await this.commands.execute(
      new WritePlanCommand(planId, command, writeOptionsOf(metadata, rev)),
    );
    return writeResult(outcome);
  }

  async createPlan(request: CreatePlanRequest, metadata?: Metadata) {
    const document = validated(documentSchema, jsonField(request.documentJson, 'document_json'));
    const planId = newPlanId();
    return this.write(
      planId,
      { type: 'CreatePlan', planId, document, source: { kind: 'api', format: 'json' } },
      metadata,
    );
  }

  async getPlan(request: GetPlanRequest): Promise<GetPlanResponse> {
    const id = required(request.planId, 'plan_id');
    const revision = positiveRevision(request.revision);
    const plan = await this.queries.execute(
      revision === undefined ? new GetPlanQuery(id) : new GetPlanAtRevisionQuery(id, revision),
    );
    return { id: plan.id, revision: plan.revision, status: plan.status, planJson: JSON.stringify(plan) };
  }

  async listPlans(request: ListPlansRequest): Promise<ListPlansResponse> {
    const filter = validated(
      listPlansQuerySchema,
      {
        ...(request.status ? { status: request.status } : {}),
        ...(request.repository ? { repository: request.repository } : {}),
        ...(request.includeArchived ? { includeArchived: 'true' } : {}),
        ...(request.limit !== undefined ? { limit: request.limit } : {}),
        ...(request.offset !== undefined ? { offset: request.offset } : {}),
      },
      'query',
    );
    const plans = await this.queries.execute(new ListPlansQuery(filter));
    return {
      plans: plans.map((p) => ({
        id: p.id,
        title: p.title,
        status: p.status,
        revision: p.revision,
        summaryJson: JSON.stringify(p),
      })),
    };
  }

  async validatePlan(request: ValidatePlanRequest) {
    return validationResult(
      await this.queries.execute(new ValidatePlanQuery(required(request.planId, 'plan_id'))),
    );
  }

  async validateDocument(request: ValidateDocumentRequest) {
    const document = validated(documentSchema, jsonField(request.documentJson, 'document_json'));
    return validationResult(await this.queries.execute(new ValidatePlanDocumentQuery(document)));
  }

  async updatePlan(request: UpdatePlanRequest, metadata?: Metadata) {
    const changes = validated(updatePlanBodySchema, bodyOf(request.changesJson, 'changes_json'));
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'UpdatePlanDetails', changes },
      metadata,
      request.expectedRevision,
    );
  }

  async finalizePlan(request: FinalizePlanRequest, metadata?: Metadata) {
    validated(emptyWriteBodySchema, {});
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'FinalizePlan' },
      metadata,
      request.expectedRevision,
    );
  }

  async reopenPlan(request: ReopenPlanRequest, metadata?: Metadata) {
    const body = validated(reopenBodySchema, request.reason ? { reason: request.reason } : {});
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'ReopenPlan', reason: body.reason },
      metadata,
      request.expectedRevision,
    );
  }

  async archivePlan(request: ArchivePlanRequest, metadata?: Metadata) {
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'ArchivePlan' },
      metadata,
      request.expectedRevision,
    );
  }

  async addChunk(request: AddChunkRequest, metadata?: Metadata) {
    const {
      expectedRevision: _r,
      index,
      ...chunk
    } = validated(addChunkBodySchema, bodyOf(request.chunkJson, 'chunk_json'));
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'AddChunk', chunk, index },
      metadata,
      request.expectedRevision,
    );
  }

  async updateChunk(request: UpdateChunkRequest, metadata?: Metadata) {
    const { expectedRevision: _r, ...changes } = validated(
      updateChunkBodySchema,
      bodyOf(request.changesJson, 'changes_json'),
    );
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'UpdateChunk', key: required(request.chunkKey, 'chunk_key'), changes },
      metadata,
      request.expectedRevision,
    );
  }

  async removeChunk(request: RemoveChunkRequest, metadata?: Metadata) {
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'RemoveChunk', key: required(request.chunkKey, 'chunk_key') },
      metadata,
      request.expectedRevision,
    );
  }

  async addTask(request: AddTaskRequest, metadata?: Metadata) {
    const {
      expectedRevision: _r,
      beforeTaskId,
      ...task
    } = validated(addTaskBodySchema, bodyOf(request.taskJson, 'task_json'));
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'AddTask', task, beforeTaskId },
      metadata,
      request.expectedRevision,
    );
  }

  async updateTask(request: UpdateTaskRequest, metadata?: Metadata) {
    const { expectedRevision: _r, ...changes } = validated(
      updateTaskBodySchema,
      bodyOf(request.changesJson, 'changes_json'),
    );
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'UpdateTask', taskId: required(request.taskId, 'task_id'), changes },
      metadata,
      request.expectedRevision,
    );
  }

  async removeTask(request: RemoveTaskRequest, metadata?: Metadata) {
    return this.write(
      required(request.planId, 'plan_id'),
      { type: 'RemoveTask', taskId: required(request.taskId, 'task_id') },
      metadata,
      request.expectedRevision,
    );
  }

  async getHistory(request: GetHistoryRequest) {
    const history = await this.queries.execute(new GetPlanHistoryQuery(required(request.planId, 'plan_id')));
    return { historyJson: JSON.stringify(history) };
  }

  async exportPlan(request: ExportPlanRequest): Promise<ExportPlanResponse> {
    const query = validated(
      exportQuerySchema,
      {
        format: request.format,
        ...(request.revision !== undefined ? { revision: String(positiveRevision(request.revision)) } : {}),
        ...(request.tag ? { tag: request.tag } : {}),
        ...(request.json ? { json: 'true' } : {}),
      },
      'query',
    );
    const answer = await this.queries.execute(
      new ExportPlanQuery(required(request.planId, 'plan_id'), query.format, query.revision, {
        tag: query.tag,
        json: query.json,
      }),
    );
    return {
      revision: answer.revision,
      files: answer.files.map((f) => ({ name: f.name, content: f.content, mediaType: f.mediaType })),
      warningsJson: JSON.stringify(answer.warnings),
    };
  }

  async importPlan(request: ImportPlanRequest, metadata?: Metadata) {
    const body = validated(importBodySchema, jsonField(request.requestJson, 'request_json'));
    const results = await this.commands.execute(new ImportPlansCommand(body, writeOptionsOf(metadata)));
    return { resultJson: JSON.stringify(body.allTags ? { plans: results } : results[0]) };
  }

  // ---- planning with Claude (PlanningController's service) ----

  async generatePlan(request: GeneratePlanRequest, metadata?: Metadata) {
    const body = validated(generateBodySchema, jsonField(request.bodyJson, 'body_json'));
    const planId = newPlanId();
    const result = await this.planning.generate(planId, body, writeOptionsOf(metadata));
    const written = await this.planned(planId, result);
    return { ...written, resultJson: JSON.stringify({ ...written.result, usage: result.state.usage }) };
  }

  async reviewPlan(request: ReviewPlanRequest, metadata?: Metadata) {
    const id = required(request.planId, 'plan_id');
    const body = validated(reviewBodySchema, bodyOf(request.bodyJson, 'body_json'));
    const { result, set } = await this.planning.review(
      id,
      { type: body.type, scope: body.scope, targetId: body.targetId },
      writeOptionsOf(metadata, request.expectedRevision),
    );
    await this.sync.waitFor(result.position);
    return { suggestionsJson: JSON.stringify(suggestionSetView(id, set)) };
  }

  async getSuggestions(request: GetSuggestionsRequest) {
    const id = required(request.planId, 'plan_id');
    const set = await this.planning.suggestionSet(id, required(request.setId, 'set_id'));
    return { suggestionsJson: JSON.stringify(suggestionSetView(id, set)) };
  }

  async applySuggestions(request: ApplySuggestionsRequest, metadata?: Metadata) {
    const id = required(request.planId, 'plan_id');
    const body = validated(applyBodySchema, { ids: request.ids ?? [] });
    const result = await this.planning.apply(
      id,
      required(request.setId, 'set_id'),
      body.ids,
      writeOptionsOf(metadata, request.expectedRevision),
    );
    return this.planned(id, result);
  }

  async refinePlan(request: RefinePlanRequest, metadata?: Metadata) {
    const id = required(request.planId, 'plan_id');
    const body = validated(refineBodySchema, bodyOf(request.bodyJson, 'body_json'));
    const { result, rationale } = await this.planning.refine(
      id,
      { feedback: body.feedback, mode: body.mode, drafts: body.drafts, author: body.author },
      writeOptionsOf(metadata, request.expectedRevision),
    );
    const written = await this.planned(id, result);
    return {
      ...written,
      resultJson: JSON.stringify({
        ...written.result,
        mode: body.mode,
        planningIterations: result.state.planningIterations,
        rationale,
        usage: result.state.usage,
      }),
    };
  }

  async diffRevisions(request: DiffRevisionsRequest) {
    const id = required(request.planId, 'plan_id');
    const q = validated(diffQuerySchema, { from: request.fromRevision, to: request.toRevision }, 'query');
    return { diffJson: JSON.stringify({ planId: id, ...(await this.planning.diff(id, q.from, q.to)) }) };
  }

  async getUsage(request: GetUsageRequest) {
    const id = required(request.planId, 'plan_id');
    const plan = await this.readModels.getPlan(id);
    if (!plan) throw new PlanNotFoundError(id);
    return { usageJson: JSON.stringify({ planId: id, ...plan.usage }) };
  }
}
