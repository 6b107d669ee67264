import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FORMATS } from '@chunkwise/formats';
import type { Response } from 'express';
import type { z } from 'zod';
import { ApiErrors } from '../common/openapi-decorators';
import { RequestValidationError } from '../common/error-response';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { openApiSchemaOf } from '../common/openapi-schema';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { CHUNKWISE_CONFIG } from '../infrastructure/tokens';
import {
  ExportPlanQuery,
  ImportPlansCommand,
  type ImportRequest,
  type ImportResult,
} from './import.commands';
import {
  exportAnswerSchema,
  exportQuerySchema,
  importAnswerSchema,
  importBodySchema,
  importFormSchema,
  MAX_IMPORT_FILES,
} from './import-schemas';

/** A part of a multipart upload, as multer (memory storage) gives it. */
interface UploadedPart {
  fieldname: string;
  originalname: string;
  buffer: Buffer;
  size: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

@ApiTags('plans')
@Controller('plans')
export class ImportsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
  ) {}

  /** Declared under `plans/` like `validate`: `import` is never taken for a plan id (no `POST /plans/:id`). */
  @Post('import')
  @HttpCode(201)
  @UseInterceptors(AnyFilesInterceptor())
  @ApiOperation({
    summary:
      'Import a plan written by another tool (OpenSpec, Spec Kit, Task Master, Kiro, MassGen) or a Chunkwise plan document',
    description:
      'JSON ({ format?, filename?, content } or { files: [{ name, content }] }) or a multipart upload (file parts, and the same fields as form fields). ' +
      'Creates a draft plan with one PlanCreated event (source: import, format, filename, sha256, warnings). ' +
      'dryRun returns the plan document and the warnings without storing anything; allTags makes one plan per Task Master tag.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: openApiSchemaOf(importBodySchema, 'input') as never })
  @ApiResponse({
    status: 201,
    description: 'Imported; Location names the plan',
    schema: openApiSchemaOf(importAnswerSchema, 'output') as never,
  })
  @ApiResponse({
    status: 200,
    description: 'Dry run: nothing stored',
    schema: openApiSchemaOf(importAnswerSchema, 'output') as never,
  })
  @ApiErrors(400, 401, 413, 415)
  async importPlan(
    @Body() body: unknown,
    @UploadedFiles() parts: UploadedPart[] | undefined,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const request = parts?.length ? this.fromUpload(body, parts) : this.fromJson(body);
    const results = await this.commands.execute(new ImportPlansCommand(request, ctx.options()));
    if (request.dryRun) res.status(200);
    else if (results.length === 1) res.setHeader('Location', `/api/plans/${results[0].id}`);
    return request.allTags ? { plans: results } : results[0];
  }

  @Get(':id/export')
  @ApiOperation({
    summary:
      'The plan in another tool’s format (statuses included); ?revision=N for the plan as it was at revision N',
    description:
      'Answers { files: [{ name, content, mediaType }], warnings } (OpenSpec: tasks.md and proposal.md); ' +
      'download=true answers the main file itself. Warnings list what the format cannot express.',
  })
  @ApiParam({ name: 'id' })
  @ApiQuery({ name: 'format', required: true, enum: FORMATS })
  @ApiQuery({ name: 'revision', required: false, type: Number })
  @ApiQuery({ name: 'tag', required: false, description: 'Task Master: the tag to write (default master)' })
  @ApiQuery({
    name: 'json',
    required: false,
    type: Boolean,
    description: 'Chunkwise format as JSON (default YAML)',
  })
  @ApiQuery({ name: 'download', required: false, type: Boolean })
  @ApiProduces('application/json', 'text/markdown', 'application/yaml')
  @ApiResponse({
    status: 200,
    description: 'OK',
    schema: openApiSchemaOf(exportAnswerSchema, 'output') as never,
  })
  @ApiErrors(400, 401, 404)
  async exportPlan(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(exportQuerySchema, 'query')) query: z.output<typeof exportQuerySchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const answer = await this.queries.execute(
      new ExportPlanQuery(id, query.format, query.revision, { tag: query.tag, json: query.json }),
    );
    res.setHeader('ETag', `"${answer.revision}"`);
    if (!query.download) return answer;
    const main = answer.files[0];
    res.setHeader('Content-Type', `${main.mediaType}; charset=utf-8`);
    res.setHeader('Content-Disposition', `attachment; filename="${main.name}"`);
    res.setHeader('X-Chunkwise-Export-Warnings', String(answer.warnings.length));
    res.send(main.content);
    return undefined;
  }

  private fromJson(body: unknown): ImportRequest {
    return new ZodValidationPipe(importBodySchema).transform(body);
  }

  private fromUpload(body: unknown, parts: UploadedPart[]): ImportRequest {
    const fields = new ZodValidationPipe(importFormSchema).transform(body ?? {});
    if (parts.length > MAX_IMPORT_FILES)
      throw new RequestValidationError([
        { code: 'schema', message: `at most ${MAX_IMPORT_FILES} files per import` },
      ]);
    const total = parts.reduce((n, p) => n + p.size, 0);
    if (total > this.config.bodyLimit)
      throw new PayloadTooLargeException(
        `the uploaded files hold ${total} bytes, over the limit of ${this.config.bodyLimit} bytes`,
      );
    const files = parts.map((p) => {
      try {
        return { name: p.originalname || p.fieldname, content: utf8.decode(p.buffer) };
      } catch {
        throw new RequestValidationError([
          { code: 'schema', path: p.originalname, message: `${p.originalname}: not UTF-8 text` },
        ]);
      }
    });
    return {
      ...fields,
      ...(files.length === 1
        ? { content: files[0].content, filename: fields.filename ?? files[0].name }
        : { files }),
    };
  }
}

export type { ImportResult };
