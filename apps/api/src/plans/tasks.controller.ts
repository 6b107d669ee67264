import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import {
  addTaskBodySchema,
  emptyWriteBodySchema,
  moveTaskBodySchema,
  setDependenciesBodySchema,
  updateTaskBodySchema,
} from '../common/api-schemas';
import { ApiBodyOf, ApiErrors, ApiResult, ApiWrite } from '../common/openapi-decorators';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { WritePlanCommand } from './write-plan.command';
import { GetTaskQuery, ListTasksQuery } from './queries';
import { writeHeaders } from './write-response';

@ApiTags('tasks')
@Controller('plans/:id/tasks')
export class TasksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The tasks of a plan, in execution order (chunk by chunk)' })
  @ApiResult(200, 'TaskList')
  @ApiErrors(401, 404)
  list(@Param('id') id: string) {
    return this.queries.execute(new ListTasksQuery(id));
  }

  @Get(':taskId')
  @ApiOperation({ summary: 'One task' })
  @ApiResult(200, 'Task')
  @ApiErrors(401, 404)
  get(@Param('id') id: string, @Param('taskId') taskId: string) {
    return this.queries.execute(new GetTaskQuery(id, taskId));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a task (before `beforeTaskId`, default after the last task of its chunk)' })
  @ApiBodyOf('AddTask')
  @ApiResult(201, 'WriteResult', 'Created; Location names the task')
  @ApiWrite()
  async add(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(addTaskBodySchema)) body: z.output<typeof addTaskBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { expectedRevision, beforeTaskId, ...task } = body;
    const outcome = await this.commands.execute(
      new WritePlanCommand(id, { type: 'AddTask', task, beforeTaskId }, ctx.options(expectedRevision)),
    );
    if (task.id !== undefined)
      res.setHeader(
        'Location',
        `/api/plans/${encodeURIComponent(id)}/tasks/${encodeURIComponent(String(task.id))}`,
      );
    return writeHeaders(res, outcome);
  }

  @Patch(':taskId')
  @ApiOperation({ summary: 'Change a task: title, description, acceptance, canRunInParallel' })
  @ApiBodyOf('UpdateTask')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async update(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(updateTaskBodySchema)) body: z.output<typeof updateTaskBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { expectedRevision, ...changes } = body;
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(id, { type: 'UpdateTask', taskId, changes }, ctx.options(expectedRevision)),
      ),
    );
  }

  @Put(':taskId/dependencies')
  @ApiOperation({ summary: 'Replace the dependencies of a task' })
  @ApiBodyOf('SetTaskDependencies')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async setDependencies(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(setDependenciesBodySchema)) body: z.output<typeof setDependenciesBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const dependsOn = body.dependsOn.map(String);
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(
          id,
          { type: 'SetTaskDependencies', taskId, dependsOn },
          ctx.options(body.expectedRevision),
        ),
      ),
    );
  }

  @Post(':taskId/move')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a task to a chunk (before `beforeTaskId`, default last)' })
  @ApiBodyOf('MoveTask')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async move(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(moveTaskBodySchema)) body: z.output<typeof moveTaskBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = new WritePlanCommand(
      id,
      { type: 'MoveTask', taskId, toChunk: body.toChunk, beforeTaskId: body.beforeTaskId },
      ctx.options(body.expectedRevision),
    );
    return writeHeaders(res, await this.commands.execute(command));
  }

  @Delete(':taskId')
  @ApiOperation({ summary: 'Remove a task (no other task may depend on it)' })
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async remove(
    @Param('id') id: string,
    @Param('taskId') taskId: string,
    @Body(new ZodValidationPipe(emptyWriteBodySchema)) body: z.output<typeof emptyWriteBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(id, { type: 'RemoveTask', taskId }, ctx.options(body.expectedRevision)),
      ),
    );
  }
}
