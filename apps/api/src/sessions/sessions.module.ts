import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionSync } from '../projection/projection-sync.service';
import { RepositoriesController, REPOSITORY_HANDLERS } from '../repositories/repositories';
import { PlanStreamController } from './plan-stream.controller';
import { SESSION_HANDLERS } from './session.handlers';
import { SessionsController } from './sessions.controller';

/** Execution: sessions on Temporal (start, control, progress, turn output), the live event stream, repositories. */
@Module({
  imports: [CqrsModule],
  controllers: [SessionsController, PlanStreamController, RepositoriesController],
  providers: [ProjectionSync, ...SESSION_HANDLERS, ...REPOSITORY_HANDLERS],
})
export class SessionsModule {}
