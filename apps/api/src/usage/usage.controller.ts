import { Body, Controller, Get, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PlanCommandService, PlanNotFoundError } from '@chunkwise/application';
import { noBudgets, type ChunkwiseConfig } from '@chunkwise/config';
import { budgetStatus, sumEntries, sumLedger, type LedgerGrouping } from '@chunkwise/domain';
import { PRICE_TABLE_DATE } from '@chunkwise/llm';
import type { Response } from 'express';
import type { z } from 'zod';
import { ApiBodyOf, ApiErrors, ApiResult, ApiWrite } from '../common/openapi-decorators';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CHUNKWISE_CONFIG } from '../infrastructure/tokens';
import { writeHeaders } from '../plans/write-response';
import { WritePlanCommand } from '../plans/write-plan.command';
import { UsageLedgerReader } from './usage-ledger-reader';
import { planBudgetBodySchema, usageQuerySchema, type UsageQuery } from './usage-schemas';

/** The usage ledger and budgets (docs/cost.md). */
@ApiTags('usage')
@Controller()
export class UsageController {
  constructor(
    private readonly ledger: UsageLedgerReader,
    private readonly plans: PlanCommandService,
    private readonly commands: CommandBus,
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
  ) {}

  @Get('usage')
  @ApiOperation({
    summary:
      'Tokens and estimated cost of planning calls and agent turns, filtered and summed by task, chunk, session, plan, repository, day or model',
  })
  @ApiQuery({ name: 'plan', required: false })
  @ApiQuery({ name: 'session', required: false })
  @ApiQuery({ name: 'repository', required: false })
  @ApiQuery({ name: 'task', required: false })
  @ApiQuery({ name: 'chunk', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'YYYY-MM-DD, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'YYYY-MM-DD, inclusive' })
  @ApiQuery({
    name: 'by',
    required: false,
    enum: ['task', 'chunk', 'session', 'plan', 'repository', 'day', 'model'],
    description: 'default plan',
  })
  @ApiResult(200, 'UsageReport')
  @ApiErrors(400, 401, 404)
  usage(@Query(new ZodValidationPipe(usageQuerySchema)) q: UsageQuery) {
    return this.report(q);
  }

  @Get('plans/:id/budget')
  @ApiOperation({
    summary: "The plan's budget in force, what it spent (plan and latest session) and what remains",
  })
  @ApiParam({ name: 'id' })
  @ApiResult(200, 'BudgetStatus')
  @ApiErrors(401, 404)
  async budget(@Param('id') id: string) {
    const { state } = await this.plans.load(id);
    if (!state.exists) throw new PlanNotFoundError(id);
    return budgetStatus(state, this.config.budgets ?? noBudgets());
  }

  @Put('plans/:id/budget')
  @ApiOperation({
    summary:
      "Set the plan's budget (USD and/or tokens; `session` for each session's); a field left out keeps its value, null removes the limit. Raise it, then resume, to go on after a budget_exceeded pause.",
  })
  @ApiParam({ name: 'id' })
  @ApiBodyOf('SetPlanBudget')
  @ApiResult(200, 'BudgetWriteResult')
  @ApiWrite()
  async setBudget(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(planBudgetBodySchema)) body: z.output<typeof planBudgetBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { expectedRevision, ...change } = body;
    const outcome = await this.commands.execute(
      new WritePlanCommand(
        id,
        { type: 'SetPlanBudget', change, author: ctx.actor },
        ctx.options(expectedRevision),
      ),
    );
    return { ...writeHeaders(res, outcome), budget: await this.budget(id) };
  }

  private async report(q: UsageQuery) {
    const { by, plan, session, repository, task, chunk, from, to } = q;
    const filter = { planId: plan, sessionId: session, repository, taskId: task, chunk, from, to };
    const entries = await this.ledger.entries(filter);
    const shown = Object.fromEntries(
      Object.entries({ plan, session, repository, task, chunk, from, to }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    return {
      by,
      filter: shown,
      priceTableDate: PRICE_TABLE_DATE,
      totals: sumEntries(entries),
      rows: sumLedger(entries, by as LedgerGrouping),
    };
  }
}
