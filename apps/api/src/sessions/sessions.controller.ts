import { createReadStream } from 'node:fs';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Logger,
  type OnApplicationShutdown,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ControlSignal } from '@chunkwise/application';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { openApiSchemaOf } from '../common/openapi-schema';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import {
  approveTaskBodySchema,
  chunkDiffSchema,
  completeTaskBodySchema,
  controlBodySchema,
  editTaskBodySchema,
  executeBodySchema,
  retryTaskBodySchema,
  skipTaskBodySchema,
} from './session-schemas';
import {
  type ExecuteBody,
  ExecutePlanCommand,
  FollowTurnOutputQuery,
  GetChunkDiffQuery,
  GetProgressQuery,
  GetTurnOutputQuery,
  ResumePlanCommand,
  SignalSessionCommand,
  TaskActionCommand,
} from './session.commands';
import { followFile } from './turn-output-follow';

type ControlBody = z.output<typeof controlBodySchema>;

/** Execution of finalized plans: sessions (Temporal workflows), their control, progress and turn output. */
@ApiTags('execution')
@Controller('plans/:id')
export class SessionsController implements OnApplicationShutdown {
  private readonly logger = new Logger('TurnOutput');
  /** Followed turn outputs, ended on app.close() so that the HTTP server can close. */
  private readonly following = new Set<AbortController>();

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  onApplicationShutdown(): void {
    for (const f of [...this.following]) f.abort();
  }

  @Post('execute')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a session of the finalized revision (one Temporal workflow)',
    description:
      'Plan-level execution settings override the defaults of a registered repository (`repo:<id>`); `options` override both.',
  })
  @ApiParam({ name: 'id' })
  @ApiBodyOf('ExecutePlan')
  @ApiResult(202, 'SessionRef', 'Accepted: the session runs in the background')
  @ApiErrors(400, 401, 404, 409, 415, 503)
  execute(@Param('id') id: string, @Body(new ZodValidationPipe(executeBodySchema)) body: ExecuteBody) {
    return this.commands.execute(new ExecutePlanCommand(id, body));
  }

  @Post('resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume a paused session, or start a new session from a stopped one’s checkpoint',
  })
  @ApiResult(200, 'ResumeResult', '`resumed` (same session) or `restarted` (new session)')
  @ApiErrors(401, 404, 409, 503)
  resume(@Param('id') id: string) {
    return this.commands.execute(new ResumePlanCommand(id));
  }

  @Post('pause')
  @HttpCode(202)
  @ApiOperation({ summary: 'Pause at the next safe boundary (running turns finish)' })
  @ApiBodyOf('ControlSession')
  @ApiResult(202, 'SignalResult')
  @ApiErrors(400, 401, 404, 409, 503)
  pause(@Param('id') id: string, @Body(new ZodValidationPipe(controlBodySchema)) body: ControlBody) {
    return this.signal(id, 'pause', body);
  }

  @Post('stop')
  @HttpCode(202)
  @ApiOperation({ summary: 'Stop gracefully: checkpoint at the boundary; resumable later' })
  @ApiBodyOf('ControlSession')
  @ApiResult(202, 'SignalResult')
  @ApiErrors(400, 401, 404, 409, 503)
  stop(@Param('id') id: string, @Body(new ZodValidationPipe(controlBodySchema)) body: ControlBody) {
    return this.signal(id, 'stop', body);
  }

  @Post('cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel now: running turns are cancelled, the plan is cancelled' })
  @ApiBodyOf('ControlSession')
  @ApiResult(202, 'SignalResult')
  @ApiErrors(400, 401, 404, 409, 503)
  cancel(@Param('id') id: string, @Body(new ZodValidationPipe(controlBodySchema)) body: ControlBody) {
    return this.signal(id, 'cancel', body);
  }

  private signal(id: string, signal: ControlSignal, body: ControlBody) {
    return this.commands.execute(new SignalSessionCommand(id, signal, body.reason));
  }

  @Post('tasks/:taskId/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a task of a manual chunk: execute (optionally edited) or skip' })
  @ApiBodyOf('ApproveTask')
  @ApiResult(200, 'UpdateAnswer')
  @ApiErrors(400, 401, 404, 409, 503)
  approve(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(approveTaskBodySchema)) body: z.output<typeof approveTaskBodySchema>,
  ) {
    return this.commands.execute(new TaskActionCommand(id, 'approveTask', { taskId, ...body }));
  }

  @Post('tasks/:taskId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry a failed task (optionally edited first)' })
  @ApiBodyOf('RetryTask')
  @ApiResult(200, 'UpdateAnswer')
  @ApiErrors(400, 401, 404, 409, 503)
  retry(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(retryTaskBodySchema)) body: z.output<typeof retryTaskBodySchema>,
  ) {
    return this.commands.execute(new TaskActionCommand(id, 'retryTask', { taskId, ...body }));
  }

  @Post('tasks/:taskId/skip')
  @HttpCode(200)
  @ApiOperation({ summary: 'Skip a failed or pending task' })
  @ApiBodyOf('SkipTask')
  @ApiResult(200, 'UpdateAnswer')
  @ApiErrors(400, 401, 404, 409, 503)
  skip(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(skipTaskBodySchema)) body: z.output<typeof skipTaskBodySchema>,
  ) {
    return this.commands.execute(new TaskActionCommand(id, 'skipTask', { taskId, ...body }));
  }

  @Post('tasks/:taskId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a failed task complete after a fix by hand (the QA gates run first)' })
  @ApiResult(200, 'UpdateAnswer')
  @ApiErrors(400, 401, 404, 409, 503)
  complete(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(completeTaskBodySchema)) _body: z.output<typeof completeTaskBodySchema>,
  ) {
    return this.commands.execute(new TaskActionCommand(id, 'completeTask', { taskId }));
  }

  @Post('tasks/:taskId/edit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Edit a pending task of the running session' })
  @ApiBodyOf('EditSessionTask')
  @ApiResult(200, 'UpdateAnswer')
  @ApiErrors(400, 401, 404, 409, 503)
  edit(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(editTaskBodySchema)) body: z.output<typeof editTaskBodySchema>,
  ) {
    return this.commands.execute(new TaskActionCommand(id, 'editTask', { taskId, edit: body }));
  }

  @Get('progress')
  @ApiOperation({
    summary:
      'Progress: live from the workflow while a session is active, else from the read models (live: false)',
  })
  @ApiResult(200, 'Progress')
  @ApiErrors(401, 404)
  progress(@Param('id') id: string) {
    return this.queries.execute(new GetProgressQuery(id));
  }

  @Get('turns/:turnId/output')
  @ApiOperation({ summary: 'The kept output (stdout and stderr) of one turn, as text' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The output',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors(400, 401, 404)
  async turnOutput(
    @Param('id') id: string,
    @Param('turnId') turnId: string,
    @Res() res: Response,
  ): Promise<void> {
    const { file, size } = await this.queries.execute(new GetTurnOutputQuery(id, turnId));
    res.status(200).set({
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    if (size === 0) {
      res.end();
      return;
    }
    // Only the bytes present when the request came (a running turn's file keeps growing).
    const stream = createReadStream(file, { start: 0, end: size - 1 });
    await new Promise<void>((resolve) => {
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  }

  @Get('turns/:turnId/output/stream')
  @ApiOperation({
    summary: 'The output of one turn, live: what is kept so far, then each new piece until the turn ends',
    description:
      'A chunked `text/plain` answer (read it with fetch and a stream reader; it takes the Authorization header). ' +
      'It ends when the turn completes or its session ends; a turn that ended before sends its whole output and ends.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The output, streamed',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors(400, 401, 404)
  async turnOutputStream(
    @Param('id') id: string,
    @Param('turnId') turnId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { file, watch } = await this.queries.execute(new FollowTurnOutputQuery(id, turnId));
    const abort = new AbortController();
    this.following.add(abort);
    const onClose = () => abort.abort();
    res.on('close', onClose);
    try {
      res.status(200).set({
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store, no-transform',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
      if (res.destroyed) abort.abort();
      await followFile(file, {
        ended: watch.ended,
        signal: abort.signal,
        write: (chunk) => writeWithBackPressure(res, chunk, abort.signal),
      });
    } catch (e) {
      // The answer has begun: no error body can follow. Cut it, so the client sees it incomplete.
      this.logger.warn(
        `output of turn ${turnId} (plan ${id}): ${e instanceof Error ? e.message : String(e)}`,
      );
      res.destroy();
    } finally {
      this.following.delete(abort);
      res.off('close', onClose);
      await watch.stop();
      if (!res.writableEnded && !res.destroyed) res.end();
    }
  }

  @Get('chunks/:key/diff')
  @ApiOperation({
    summary: 'What a chunk’s commits changed: the commits, the files and the unified diff (bounded to 1 MiB)',
    description:
      'The commits are those recorded for the chunk’s tasks (progress `commitSha`), read from the plan’s repository.',
  })
  @ApiParam({ name: 'id' })
  @ApiParam({ name: 'key' })
  @ApiResponse({
    status: 200,
    description: 'OK',
    schema: openApiSchemaOf(chunkDiffSchema, 'output') as never,
  })
  @ApiErrors(401, 404, 503)
  chunkDiff(@Param('id') id: string, @Param('key') key: string) {
    return this.queries.execute(new GetChunkDiffQuery(id, key));
  }
}

/** Writes one piece, waiting for the socket to drain when its buffer is full (or the client to leave). */
function writeWithBackPressure(res: Response, chunk: Buffer, signal: AbortSignal): Promise<void> {
  if (signal.aborted || res.destroyed) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done);
  });
}
