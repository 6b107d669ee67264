import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthController } from './health.controller';
import { GetHealthHandler, GetReadinessHandler } from './health.query';
import { HealthService } from './health.service';

@Module({
  imports: [CqrsModule],
  controllers: [HealthController],
  providers: [HealthService, GetHealthHandler, GetReadinessHandler],
})
export class HealthModule {}
