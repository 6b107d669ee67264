import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { estimatePlan, executionStats } from '@chunkwise/domain';
import { ApiErrors, ApiResult } from '../common/openapi-decorators';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { contentOf, ExecutionHistoryReader } from './execution-history-reader';
import { statsQuerySchema, type StatsQuery } from './usage-schemas';

/** Analytics over past sessions, and a plan's estimate from them (docs/cost.md). */
@ApiTags('usage')
@Controller()
export class StatsController {
  constructor(private readonly history: ExecutionHistoryReader) {}

  @Get('stats')
  @ApiOperation({
    summary:
      'Per repository and overall: task work time (median, p90) by chunk mode and turn scope, attempts per task, retry and failure rates, QA gate failure rates, cost per task and per completed task, time paused waiting for a person',
  })
  @ApiQuery({ name: 'repository', required: false })
  @ApiResult(200, 'ExecutionStatsReport')
  @ApiErrors(400, 401)
  async stats(@Query(new ZodValidationPipe(statsQuerySchema)) q: StatsQuery) {
    const all = await this.history.facts(q.repository);
    const byRepo = new Map<string, typeof all>();
    for (const f of all) {
      const key = f.repository ?? '(none)';
      byRepo.set(key, [...(byRepo.get(key) ?? []), f]);
    }
    return {
      overall: executionStats(all.map((f) => f.facts)),
      repositories: [...byRepo].map(([repository, fs]) => ({
        repository,
        stats: executionStats(fs.map((f) => f.facts)),
      })),
    };
  }

  @Get('plans/:id/estimate')
  @ApiOperation({
    summary:
      "The plan's predicted work time and cost from past tasks like its open ones (same chunk mode, similar description and acceptance size): a range, and how many past tasks it rests on; history=false when there is none",
  })
  @ApiParam({ name: 'id' })
  @ApiResult(200, 'PlanEstimate')
  @ApiErrors(401, 404)
  async estimate(@Param('id') id: string) {
    const plan = await this.history.plan(id);
    const past = (await this.history.facts()).flatMap((f) => f.facts.tasks);
    return { planId: id, ...estimatePlan(contentOf(plan), past) };
  }
}
