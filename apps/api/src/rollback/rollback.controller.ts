import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { RollbackAnswer } from '@chunkwise/application';
import type { Response } from 'express';
import type { z } from 'zod';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { RollbackAnswers } from './rollback-answer';
import { rollbackBodySchema } from './rollback-schemas';

/** Rollback of a session or of one task's commit (docs/rollback.md). */
@ApiTags('execution')
@Controller('plans/:id')
export class RollbackController {
  constructor(private readonly answers: RollbackAnswers) {}

  @Post('rollback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Undo a session (the latest unless `sessionId`), or one task’s commit (`taskId`)',
    description:
      'Resets the session branch to its start when nothing else is on it, else reverts its commits newest first. ' +
      'The tasks go back to pending so that `execute` runs them again. A revert that conflicts changes nothing: ' +
      '409 with `rollback.outcome.conflict` (the commit and the files). 202 when the rollback has not ended within the wait.',
  })
  @ApiParam({ name: 'id' })
  @ApiBodyOf('RollbackPlan')
  @ApiResult(200, 'RollbackResult', 'Rolled back: what was undone, per repository')
  @ApiResult(202, 'RollbackResult', 'Still running; its result will be recorded on the plan')
  @ApiErrors(400, 401, 404, 409, 415, 503)
  async rollback(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(rollbackBodySchema)) body: z.output<typeof rollbackBodySchema>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RollbackAnswer> {
    const answer = await this.answers.rollback(id, body);
    if (answer.status === 'running') res.status(202);
    return answer;
  }
}
