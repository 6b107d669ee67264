import { Controller, Get, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Liveness } from '../common/api-schemas';
import { ApiResult } from '../common/openapi-decorators';
import { GetHealthQuery, GetReadinessQuery } from './health.query';
import { HealthService } from './health.service';

/** Open even when an API token is configured (see common/bearer-auth.ts). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly queries: QueryBus,
    private readonly health: HealthService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Plans can be read and written: event store writable, disk, stores readable (no auth required); all checks in `checks`',
  })
  @ApiResult(200, 'Health')
  @ApiResult(
    503,
    'Health',
    'The event store cannot write, the disk is (nearly) full, or a store cannot be read',
  )
  async summary(@Res({ passthrough: true }) res: Response) {
    const health = await this.queries.execute(new GetHealthQuery());
    res.setHeader('Cache-Control', 'no-store');
    if (health.status !== 'ok') res.status(503);
    return health;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (always 200 while serving; no auth required)' })
  @ApiResult(200, 'Liveness')
  live(@Res({ passthrough: true }) res: Response): Liveness {
    res.setHeader('Cache-Control', 'no-store');
    return { status: 'ok', uptimeSeconds: this.health.uptimeSeconds };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: event store (can it write), disk space, Temporal (reachable), projector (lag); each with its state (no auth required)',
  })
  @ApiResult(200, 'Readiness')
  @ApiResult(503, 'Readiness', 'At least one check is down: its `message` says why')
  async ready(@Res({ passthrough: true }) res: Response) {
    const readiness = await this.queries.execute(new GetReadinessQuery());
    res.setHeader('Cache-Control', 'no-store');
    if (readiness.status !== 'ready') res.status(503);
    return readiness;
  }
}
