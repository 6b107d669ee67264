import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { PlanSource } from '@chunkwise/domain';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  DEFAULT_LIST_LIMIT,
  emptyWriteBodySchema,
  expectedRevisionSchema,
  feedbackBodySchema,
  getPlanQuerySchema,
  listPlansQuerySchema,
  reopenBodySchema,
  updatePlanBodySchema,
} from '../common/api-schemas';
import { YAML_TYPES } from '../common/body-parsing';
import { ApiBodyOf, ApiErrors, ApiResult, ApiWrite } from '../common/openapi-decorators';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { newPlanId } from './plan-ids';
import {
  GetPlanAtRevisionQuery,
  GetPlanHistoryQuery,
  GetPlanJsonQuery,
  ListPlansQuery,
  ValidatePlanDocumentQuery,
  ValidatePlanQuery,
} from './queries';
import { writeHeaders } from './write-response';
import { WritePlanCommand } from './write-plan.command';

/** A plan document must be an object; its content is checked by the domain, which names every issue. */
const documentBody = z.record(z.string(), z.unknown(), {
  error: 'the plan document must be a JSON (or YAML) object',
});
const SOURCES = new Set<PlanSource['kind']>(['api', 'cli', 'import', 'generate']);

/** Separates `expectedRevision` from the document: the domain never sees it. */
const splitDocument = (body: Record<string, unknown>) => {
  const { expectedRevision, ...document } = body;
  const revision = new ZodValidationPipe(z.object({ expectedRevision: expectedRevisionSchema })).transform({
    expectedRevision,
  });
  return { document, expectedRevision: revision.expectedRevision };
};

@ApiTags('plans')
@Controller('plans')
export class PlansController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a plan from a plan document (JSON or YAML)' })
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBodyOf('PlanDocument')
  @ApiResult(201, 'WriteResult', 'Created; Location names the plan')
  @ApiErrors(400, 401, 413, 415)
  async create(
    @Body(new ZodValidationPipe(documentBody)) body: Record<string, unknown>,
    @Write() ctx: WriteContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-chunkwise-source') sourceHeader?: string,
  ) {
    const { document, expectedRevision } = splitDocument(body);
    const kind = SOURCES.has(sourceHeader as PlanSource['kind'])
      ? (sourceHeader as PlanSource['kind'])
      : 'api';
    const source: PlanSource = { kind, format: req.is(YAML_TYPES) ? 'yaml' : 'json' };
    // A fresh random id (36^12 of them); should it be taken, the decider refuses it (409).
    const planId = newPlanId();
    const outcome = await this.commands.execute(
      new WritePlanCommand(
        planId,
        { type: 'CreatePlan', planId, document, source },
        ctx.options(expectedRevision),
      ),
    );
    res.setHeader('Location', `/api/plans/${outcome.id}`);
    return writeHeaders(res, outcome);
  }

  @Get()
  @ApiOperation({
    summary: 'List plans, most recently updated first (archived ones only with includeArchived=true)',
  })
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['draft', 'ready', 'running', 'paused', 'completed', 'failed', 'cancelled'],
  })
  @ApiQuery({ name: 'repository', required: false })
  @ApiQuery({ name: 'includeArchived', required: false, type: Boolean })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1..1000, default ${DEFAULT_LIST_LIMIT}`,
  })
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'default 0' })
  @ApiResult(200, 'PlanList')
  @ApiErrors(400, 401)
  async list(
    @Query(new ZodValidationPipe(listPlansQuerySchema, 'query'))
    filter: z.output<typeof listPlansQuerySchema>,
  ) {
    return { plans: await this.queries.execute(new ListPlansQuery(filter)) };
  }

  /** Declared before `:id` routes so that `validate` is never taken for a plan id. */
  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a plan document (finalize rules) without storing anything' })
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBodyOf('PlanDocument')
  @ApiResult(200, 'ValidationResult')
  @ApiErrors(400, 401, 413, 415)
  validateDocument(@Body(new ZodValidationPipe(documentBody)) body: Record<string, unknown>) {
    return this.queries.execute(new ValidatePlanDocumentQuery(splitDocument(body).document));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A plan with its chunks and tasks; ?revision=N for the plan as it was at revision N',
  })
  @ApiParam({ name: 'id' })
  @ApiQuery({ name: 'revision', required: false, type: Number })
  @ApiResult(200, 'PlanDetail', 'OK; ETag is "<revision>"')
  @ApiErrors(400, 401, 404)
  async get(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(getPlanQuerySchema, 'query')) query: z.output<typeof getPlanQuerySchema>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // The ETag names the plan's content revision, the precondition of writes (If-Match). It is not a
    // validator of this answer: execution moves status and tasks without a new revision. So the
    // answer is never cached, and If-None-Match never turns it into a stale 304.
    delete req.headers['if-none-match'];
    if (query.revision === undefined) {
      // The current detail is sent as the store keeps it serialized (the same bytes as res.json of it).
      const json = await this.queries.execute(new GetPlanJsonQuery(id));
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('ETag', `"${json.revision}"`);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.send(json.body);
      return;
    }
    const plan = await this.queries.execute(new GetPlanAtRevisionQuery(id, query.revision));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('ETag', `"${plan.revision}"`);
    res.json(plan);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change title, description, repository or execution settings' })
  @ApiBodyOf('UpdatePlan')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async update(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(updatePlanBodySchema)) body: z.output<typeof updatePlanBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { expectedRevision, ...changes } = body;
    const outcome = await this.commands.execute(
      new WritePlanCommand(id, { type: 'UpdatePlanDetails', changes }, ctx.options(expectedRevision)),
    );
    return writeHeaders(res, outcome);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Archive a plan (its events stay readable)' })
  @ApiResult(200, 'ArchiveResult')
  @ApiWrite()
  async archive(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(emptyWriteBodySchema)) body: z.output<typeof emptyWriteBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const outcome = await this.commands.execute(
      new WritePlanCommand(id, { type: 'ArchivePlan' }, ctx.options(body.expectedRevision)),
    );
    return { ...writeHeaders(res, outcome), archived: true as const };
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the plan, and its feedback' })
  @ApiResult(200, 'PlanHistory')
  @ApiErrors(401, 404)
  history(@Param('id') id: string) {
    return this.queries.execute(new GetPlanHistoryQuery(id));
  }

  @Post(':id/validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check the plan against the finalize rules, without changing it' })
  @ApiResult(200, 'ValidationResult')
  @ApiErrors(401, 404)
  validate(@Param('id') id: string) {
    return this.queries.execute(new ValidatePlanQuery(id));
  }

  @Post(':id/finalize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Freeze the current revision (status ready)' })
  @ApiBodyOf('WriteOnly')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async finalize(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(emptyWriteBodySchema)) body: z.output<typeof emptyWriteBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const outcome = await this.commands.execute(
      new WritePlanCommand(id, { type: 'FinalizePlan' }, ctx.options(body.expectedRevision)),
    );
    return writeHeaders(res, outcome);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a finalized plan for more planning (starts the next revision)' })
  @ApiBodyOf('ReopenPlan')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async reopen(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(reopenBodySchema)) body: z.output<typeof reopenBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const outcome = await this.commands.execute(
      new WritePlanCommand(
        id,
        { type: 'ReopenPlan', reason: body.reason },
        ctx.options(body.expectedRevision),
      ),
    );
    return writeHeaders(res, outcome);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record feedback on the current revision' })
  @ApiBodyOf('RecordFeedback')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async feedback(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(feedbackBodySchema)) body: z.output<typeof feedbackBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const outcome = await this.commands.execute(
      new WritePlanCommand(
        id,
        { type: 'RecordFeedback', feedback: body.feedback, author: body.author },
        ctx.options(body.expectedRevision),
      ),
    );
    return writeHeaders(res, outcome);
  }
}
