import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { z } from 'zod';
import { ApiErrors, ApiResult } from '../common/openapi-decorators';
import { CHUNKWISE_CONFIG } from '../infrastructure/tokens';
import type { dashboardSettingsSchema } from './dashboard-schemas';

/** What the web dashboard needs to know about this server beyond the plan routes. */
@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  constructor(@Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig) {}

  @Get('settings')
  @ApiOperation({ summary: 'Server settings the dashboard shows: the Temporal UI address and namespace' })
  @ApiResult(200, 'DashboardSettings')
  @ApiErrors(401)
  settings(): z.output<typeof dashboardSettingsSchema> {
    const { temporal } = this.config;
    return { temporalUiUrl: temporal.uiUrl ?? null, temporalNamespace: temporal.namespace };
  }
}
