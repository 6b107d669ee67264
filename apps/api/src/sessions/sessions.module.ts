import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PlanEventFeed } from './plan-event-feed';
import { PlanStreamController } from './plan-stream.controller';
import { SESSION_HANDLERS } from './session.handlers';
import { SessionsController } from './sessions.controller';

/** Execution: sessions on Temporal (start, control, progress, turn output) and the live event stream. */
@Module({
  imports: [CqrsModule],
  controllers: [SessionsController, PlanStreamController],
  providers: [...SESSION_HANDLERS, PlanEventFeed],
})
export class SessionsModule {}
