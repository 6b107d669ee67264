import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import {
  addChunkBodySchema,
  emptyWriteBodySchema,
  reorderChunksBodySchema,
  updateChunkBodySchema,
} from '../common/api-schemas';
import { ApiBodyOf, ApiErrors, ApiResult, ApiWrite } from '../common/openapi-decorators';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { WritePlanCommand } from './write-plan.command';
import { ListChunksQuery } from './queries';
import { writeHeaders } from './write-response';

@ApiTags('chunks')
@Controller('plans/:id/chunks')
export class ChunksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The chunks of a plan in order, each with its tasks and progress' })
  @ApiResult(200, 'ChunkList')
  @ApiErrors(401, 404)
  list(@Param('id') id: string) {
    return this.queries.execute(new ListChunksQuery(id));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a chunk (at `index`, default last)' })
  @ApiBodyOf('AddChunk')
  @ApiResult(201, 'WriteResult', 'Created')
  @ApiWrite()
  async add(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(addChunkBodySchema)) body: z.output<typeof addChunkBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { expectedRevision, index, ...chunk } = body;
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(id, { type: 'AddChunk', chunk, index }, ctx.options(expectedRevision)),
      ),
    );
  }

  /** Declared before `:key` routes; PUT is not used by them anyway. */
  @Put('order')
  @ApiOperation({ summary: 'Reorder the chunks (list every key once)' })
  @ApiBodyOf('ReorderChunks')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async reorder(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(reorderChunksBodySchema)) body: z.output<typeof reorderChunksBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(
          id,
          { type: 'ReorderChunks', order: body.order },
          ctx.options(body.expectedRevision),
        ),
      ),
    );
  }

  @Patch(':key')
  @ApiOperation({ summary: 'Change a chunk: title, description, executionMode, pauseAfter' })
  @ApiBodyOf('UpdateChunk')
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async update(
    @Param('id') id: string,
    @Param('key') key: string,
    @Body(new ZodValidationPipe(updateChunkBodySchema)) body: z.output<typeof updateChunkBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { expectedRevision, ...changes } = body;
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(id, { type: 'UpdateChunk', key, changes }, ctx.options(expectedRevision)),
      ),
    );
  }

  @Delete(':key')
  @ApiOperation({ summary: 'Remove an empty chunk' })
  @ApiResult(200, 'WriteResult')
  @ApiWrite()
  async remove(
    @Param('id') id: string,
    @Param('key') key: string,
    @Body(new ZodValidationPipe(emptyWriteBodySchema)) body: z.output<typeof emptyWriteBodySchema>,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return writeHeaders(
      res,
      await this.commands.execute(
        new WritePlanCommand(id, { type: 'RemoveChunk', key }, ctx.options(body.expectedRevision)),
      ),
    );
  }
}
