import { Controller, Get, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiResult } from '../common/openapi-decorators';
import { GetHealthQuery } from './health.query';

/** Open even when an API token is configured (see common/bearer-auth.ts). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and projection lag (no auth required)' })
  @ApiResult(200, 'Health')
  @ApiResult(503, 'Health', 'A store cannot be read')
  async health(@Res({ passthrough: true }) res: Response) {
    const health = await this.queries.execute(new GetHealthQuery());
    if (health.status !== 'ok') res.status(503);
    return health;
  }
}
