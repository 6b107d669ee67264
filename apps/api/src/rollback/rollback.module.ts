import { Module } from '@nestjs/common';
import { RollbackAnswers } from './rollback-answer';
import { RollbackController } from './rollback.controller';

/**
 * Rollback of sessions and of task commits (RollbackService, provided by the infrastructure module);
 * RollbackAnswers is shared with the gRPC adapter.
 */
@Module({ controllers: [RollbackController], providers: [RollbackAnswers], exports: [RollbackAnswers] })
export class RollbackModule {}
