import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SCHEDULE_PROVIDERS, SchedulesController } from './schedules';

/** Schedules of finalized plans on Temporal Schedules (docs/schedules.md). */
@Module({
  imports: [CqrsModule],
  controllers: [SchedulesController],
  providers: [...SCHEDULE_PROVIDERS],
})
export class SchedulesModule {}
