import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ChunksController } from './chunks.controller';
import { PlansController } from './plans.controller';
import { QUERY_HANDLERS } from './queries';
import { TasksController } from './tasks.controller';
import { WritePlanHandler } from './write-plan.command';

@Module({
  imports: [CqrsModule],
  controllers: [PlansController, ChunksController, TasksController],
  providers: [WritePlanHandler, ...QUERY_HANDLERS],
})
export class PlansModule {}
