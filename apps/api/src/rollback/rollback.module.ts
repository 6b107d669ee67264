import { Module } from '@nestjs/common';
import { RollbackController } from './rollback.controller';

/** Rollback of sessions and of task commits (RollbackService, provided by the infrastructure module). */
@Module({ controllers: [RollbackController] })
export class RollbackModule {}
