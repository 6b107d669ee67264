import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { newPlanId } from '../plans/plan-ids';
import { writeHeaders } from '../plans/write-response';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { READ_MODEL_STORE } from '../infrastructure/tokens';
import { PlanningService, PlanNotFoundError, type ExecuteResult } from '@chunkwise/application';
import type { ReadModelStore } from '@chunkwise/read-models';
import {
  applyBodySchema,
  diffQuerySchema,
  generateBodySchema,
  refineBodySchema,
  reviewBodySchema,
  suggestionSetView,
} from './planning-schemas';

/** The optional If-Match precondition of a planning write (its body's expectedRevision is the alternative). */
const ApiIfMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description:
      'The plan revision the write is based on: 3, "3" or W/"3" (the ETag of GET /plans/:id). Stale → 409.',
  });

/**
 * Planning with Claude. Each route is one LLM turn (or none: apply, diff, usage) whose result is
 * written as one command; the response waits for the read models like every other write.
 */
@ApiTags('planning')
@Controller('plans')
export class PlanningController {
  constructor(
    private readonly planning: PlanningService,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly sync: ProjectionSync,
  ) {}

  @Post('generate')
  @ApiBodyOf('GeneratePlan')
  @HttpCode(201)
  @ApiOperation({ summary: 'Generate a draft plan from a description (and the repository as context)' })
  @ApiResult(201, 'WriteResult', 'Created; Location names the plan')
  @ApiErrors(400, 401, 404, 413, 502, 503)
  async generate(
    @Body(new ZodValidationPipe(generateBodySchema)) body: z.output<typeof generateBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const planId = newPlanId();
    const result = await this.planning.generate(planId, body, ctx.options());
    const written = await this.written(res, planId, result);
    res.setHeader('Location', `/api/plans/${planId}`);
    return { ...written, usage: result.state.usage };
  }

  @Post(':id/review')
  @ApiBodyOf('ReviewPlan')
  @ApiIfMatch()
  @HttpCode(201)
  @ApiOperation({ summary: 'Review the plan one way and get a suggestion set (nothing changes yet)' })
  @ApiResult(201, 'SuggestionSet')
  @ApiErrors(400, 401, 404, 409, 502, 503)
  async review(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(reviewBodySchema)) body: z.output<typeof reviewBodySchema>,
    @Write() ctx: WriteContext,
  ) {
    const { result, set } = await this.planning.review(
      id,
      { type: body.type, scope: body.scope, targetId: body.targetId },
      ctx.options(body.expectedRevision),
    );
    await this.sync.waitFor(result.position);
    return suggestionSetView(id, set);
  }

  @Get(':id/suggestions/:setId')
  @ApiOperation({ summary: 'A suggestion set, with the ids applied so far' })
  @ApiResult(200, 'SuggestionSet')
  @ApiErrors(401, 404)
  async suggestionSet(@Param('id') id: string, @Param('setId') setId: string) {
    return suggestionSetView(id, await this.planning.suggestionSet(id, setId));
  }

  @Post(':id/suggestions/:setId/apply')
  @ApiBodyOf('ApplySuggestions')
  @ApiIfMatch()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Apply chosen suggestions as one new revision (409 when the set is older than the plan and they no longer apply)',
  })
  @ApiResult(200, 'WriteResult')
  @ApiErrors(400, 401, 404, 409)
  async apply(
    @Param('id') id: string,
    @Param('setId') setId: string,
    @Body(new ZodValidationPipe(applyBodySchema)) body: z.output<typeof applyBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.planning.apply(id, setId, body.ids, ctx.options(body.expectedRevision));
    return this.written(res, id, result);
  }

  @Post(':id/refine')
  @ApiBodyOf('RefinePlan')
  @ApiIfMatch()
  @HttpCode(200)
  @ApiOperation({
    summary: 'A refinement turn: multi (N drafts in parallel, then a judge) or single (one quick edit)',
  })
  @ApiResult(200, 'RefineResult')
  @ApiErrors(400, 401, 404, 409, 502, 503)
  async refine(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(refineBodySchema)) body: z.output<typeof refineBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { result, rationale, summary } = await this.planning.refine(
      id,
      { feedback: body.feedback, mode: body.mode, drafts: body.drafts, author: body.author },
      ctx.options(body.expectedRevision),
    );
    return {
      ...(await this.written(res, id, result)),
      mode: body.mode,
      planningIterations: result.state.planningIterations,
      rationale,
      summary,
      usage: result.state.usage,
    };
  }

  @Get(':id/diff')
  @ApiQuery({ name: 'from', required: true, type: Number, description: 'The older revision (1..current)' })
  @ApiQuery({ name: 'to', required: true, type: Number, description: 'The newer revision (1..current)' })
  @ApiOperation({ summary: 'Tasks and chunks added, removed and changed between two revisions' })
  @ApiResult(200, 'PlanDiff')
  @ApiErrors(400, 401, 404)
  async diff(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(diffQuerySchema, 'query')) q: z.output<typeof diffQuerySchema>,
  ) {
    return { planId: id, ...(await this.planning.diff(id, q.from, q.to)) };
  }

  @Get(':id/usage')
  @ApiOperation({ summary: 'Tokens and estimated cost of every LLM call made for the plan, summed' })
  @ApiResult(200, 'PlanUsage')
  @ApiErrors(401, 404)
  async usage(@Param('id') id: string) {
    const plan = await this.readModels.getPlan(id);
    if (!plan) throw new PlanNotFoundError(id);
    return { planId: id, ...plan.usage };
  }

  /** Waits for the read models to catch up with a write, then sets its headers (ETag, lag hint). */
  private async written(res: Response, id: string, result: ExecuteResult) {
    const projected = await this.sync.waitFor(result.position);
    return writeHeaders(res, { id, revision: result.revision, projected, result });
  }
}
