import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionSync } from '../projection/projection-sync.service';
import { ChunksController } from './chunks.controller';
import { COMMAND_HANDLERS } from './commands';
import { PlanWriter } from './plan-writer.service';
import { PlansController } from './plans.controller';
import { QUERY_HANDLERS } from './queries';
import { TasksController } from './tasks.controller';

@Module({
  imports: [CqrsModule],
  controllers: [PlansController, ChunksController, TasksController],
  providers: [PlanWriter, ProjectionSync, ...COMMAND_HANDLERS, ...QUERY_HANDLERS],
})
export class PlansModule {}
