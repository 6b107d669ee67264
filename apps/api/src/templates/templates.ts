import { Body, Controller, Get, HttpCode, Param, Post, Query as QueryParams, Res } from '@nestjs/common';
import {
  Command,
  CommandBus,
  CommandHandler,
  type ICommandHandler,
  type IQueryHandler,
  Query,
  QueryBus,
  QueryHandler,
} from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { TemplateService, type TemplateVersionInfo } from '@chunkwise/application';
import type { TemplateSummary, TemplateVersion } from '@chunkwise/domain';
import type { Response } from 'express';
import type { z } from 'zod';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { Write, type WriteContext, type WriteOptions } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { newPlanId } from '../plans/plan-ids';
import { WritePlanCommand } from '../plans/write-plan.command';
import {
  createFromTemplateBodySchema,
  savePlanAsTemplateBodySchema,
  saveTemplateBodySchema,
  templateQuerySchema,
  type CreateFromTemplateBody,
  type SavePlanAsTemplateBody,
  type SaveTemplateBody,
} from './template-schemas';

export interface CreatedFromTemplate {
  id: string;
  revision: number;
  projected: boolean;
  template: { name: string; version: number };
}

export class SaveTemplateCommand extends Command<TemplateVersion> {
  constructor(
    readonly body: SaveTemplateBody,
    readonly options: WriteOptions,
  ) {
    super();
  }
}
export class SavePlanAsTemplateCommand extends Command<TemplateVersion> {
  constructor(
    readonly planId: string,
    readonly body: SavePlanAsTemplateBody,
    readonly options: WriteOptions,
  ) {
    super();
  }
}
export class CreatePlanFromTemplateCommand extends Command<CreatedFromTemplate> {
  constructor(
    readonly name: string,
    readonly body: CreateFromTemplateBody,
    readonly options: WriteOptions,
  ) {
    super();
  }
}
export class ListTemplatesQuery extends Query<TemplateSummary[]> {}
export class GetTemplateQuery extends Query<TemplateVersion> {
  constructor(
    readonly name: string,
    readonly version?: number,
  ) {
    super();
  }
}
export class ListTemplateVersionsQuery extends Query<TemplateVersionInfo[]> {
  constructor(readonly name: string) {
    super();
  }
}

const saveOptions = (options: WriteOptions) => ({
  expectedVersion: options.expectedRevision,
  actor: options.actor,
  correlationId: options.correlationId,
});

@CommandHandler(SaveTemplateCommand)
export class SaveTemplateHandler implements ICommandHandler<SaveTemplateCommand> {
  constructor(private readonly templates: TemplateService) {}
  execute({ body, options }: SaveTemplateCommand): Promise<TemplateVersion> {
    const { expectedVersion: _v, ...definition } = body;
    return this.templates.save(definition, { kind: 'api' }, saveOptions(options));
  }
}

@CommandHandler(SavePlanAsTemplateCommand)
export class SavePlanAsTemplateHandler implements ICommandHandler<SavePlanAsTemplateCommand> {
  constructor(private readonly templates: TemplateService) {}
  execute({ planId, body, options }: SavePlanAsTemplateCommand): Promise<TemplateVersion> {
    const { expectedVersion: _v, ...request } = body;
    return this.templates.saveFromPlan(planId, request, saveOptions(options));
  }
}

/** Renders the template, then creates the plan through the plan write path (CreatePlan), like POST /plans. */
@CommandHandler(CreatePlanFromTemplateCommand)
export class CreatePlanFromTemplateHandler implements ICommandHandler<CreatePlanFromTemplateCommand> {
  constructor(
    private readonly templates: TemplateService,
    private readonly commands: CommandBus,
  ) {}
  async execute({ name, body, options }: CreatePlanFromTemplateCommand): Promise<CreatedFromTemplate> {
    const { document, values, template } = await this.templates.render(name, body.params, body.version);
    const planId = newPlanId();
    const outcome = await this.commands.execute(
      new WritePlanCommand(
        planId,
        {
          type: 'CreatePlan',
          planId,
          document: body.repository === undefined ? document : { ...document, repository: body.repository },
          source: {
            kind: 'template',
            detail: `${template.name}@${template.version}`,
            template: { name: template.name, version: template.version, params: values },
          },
        },
        options,
      ),
    );
    return {
      id: outcome.id,
      revision: outcome.revision,
      projected: outcome.projected,
      template: { name: template.name, version: template.version },
    };
  }
}

@QueryHandler(ListTemplatesQuery)
export class ListTemplatesHandler implements IQueryHandler<ListTemplatesQuery> {
  constructor(private readonly templates: TemplateService) {}
  execute(): Promise<TemplateSummary[]> {
    return this.templates.list();
  }
}

@QueryHandler(GetTemplateQuery)
export class GetTemplateHandler implements IQueryHandler<GetTemplateQuery> {
  constructor(private readonly templates: TemplateService) {}
  execute({ name, version }: GetTemplateQuery): Promise<TemplateVersion> {
    return this.templates.get(name, version);
  }
}

@QueryHandler(ListTemplateVersionsQuery)
export class ListTemplateVersionsHandler implements IQueryHandler<ListTemplateVersionsQuery> {
  constructor(private readonly templates: TemplateService) {}
  async execute({ name }: ListTemplateVersionsQuery): Promise<TemplateVersionInfo[]> {
    return (await this.templates.versions(name)).map(({ version, title, savedAt, source }) => ({
      version,
      title,
      savedAt,
      source,
    }));
  }
}

export const TEMPLATE_HANDLERS = [
  SaveTemplateHandler,
  SavePlanAsTemplateHandler,
  CreatePlanFromTemplateHandler,
  ListTemplatesHandler,
  GetTemplateHandler,
  ListTemplateVersionsHandler,
];

const versionHeaders = (res: Response, saved: TemplateVersion) => {
  res.setHeader('ETag', `"${saved.version}"`);
  res.setHeader('Location', `/api/templates/${saved.name}?version=${saved.version}`);
  return saved;
};

/** Plan templates with parameters (docs/templates.md): built-in and saved, every version kept. */
@ApiTags('templates')
@Controller('templates')
export class TemplatesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Templates (built-in and saved), each at its latest version, without documents' })
  @ApiResult(200, 'TemplateList')
  @ApiErrors(401)
  async list() {
    return { templates: await this.queries.execute(new ListTemplatesQuery()) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Save a template (a new version when the name exists; the same content adds nothing)',
  })
  @ApiBodyOf('SaveTemplate')
  @ApiResult(201, 'Template', 'Saved; Location names the version, ETag is "<version>"')
  @ApiErrors(400, 401, 409, 413, 415)
  async save(
    @Body(new ZodValidationPipe(saveTemplateBodySchema)) body: SaveTemplateBody,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const saved = await this.commands.execute(
      new SaveTemplateCommand(body, ctx.options(body.expectedVersion)),
    );
    return versionHeaders(res, saved);
  }

  @Get(':name')
  @ApiOperation({
    summary: 'A template with its plan document: the latest version, or ?version=N (0: built-in)',
  })
  @ApiParam({ name: 'name' })
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiResult(200, 'Template', 'OK; ETag is "<version>"')
  @ApiErrors(400, 401, 404)
  async get(
    @Param('name') name: string,
    @QueryParams(new ZodValidationPipe(templateQuerySchema, 'query'))
    query: z.output<typeof templateQuerySchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const template = await this.queries.execute(new GetTemplateQuery(name, query.version));
    res.setHeader('ETag', `"${template.version}"`);
    return template;
  }

  @Get(':name/versions')
  @ApiOperation({ summary: 'Every version of a template, oldest first' })
  @ApiParam({ name: 'name' })
  @ApiResult(200, 'TemplateVersionList')
  @ApiErrors(401, 404)
  async versions(@Param('name') name: string) {
    return { name, versions: await this.queries.execute(new ListTemplateVersionsQuery(name)) };
  }

  @Post(':name/plans')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Render a template with parameters and create a draft plan from it (the plan write path)',
  })
  @ApiParam({ name: 'name' })
  @ApiBodyOf('CreatePlanFromTemplate')
  @ApiResult(201, 'CreatedFromTemplate', 'Created; Location names the plan')
  @ApiErrors(400, 401, 404, 413, 415)
  async createPlan(
    @Param('name') name: string,
    @Body(new ZodValidationPipe(createFromTemplateBodySchema)) body: CreateFromTemplateBody,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const created = await this.commands.execute(new CreatePlanFromTemplateCommand(name, body, ctx.options()));
    res.setHeader('Location', `/api/plans/${created.id}`);
    res.setHeader('ETag', `"${created.revision}"`);
    if (!created.projected) res.setHeader('X-Chunkwise-Projection', 'lagging');
    return { id: created.id, revision: created.revision, template: created.template };
  }
}

/** `POST /plans/:id/template`: a plan's current content saved as a template. */
@ApiTags('templates')
@Controller('plans')
export class PlanTemplateController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/template')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Save a plan's current content as a template: `params` marks literals as {{parameters}}; placeholders already in the plan are declared too",
  })
  @ApiParam({ name: 'id' })
  @ApiBodyOf('SavePlanAsTemplate')
  @ApiResult(201, 'Template', 'Saved; Location names the version')
  @ApiErrors(400, 401, 404, 409, 413, 415)
  async save(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(savePlanAsTemplateBodySchema)) body: SavePlanAsTemplateBody,
    @Write() ctx: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    // If-Match here would name a plan revision; the template's version goes in expectedVersion.
    const options = { ...ctx.options(), expectedRevision: body.expectedVersion };
    const saved = await this.commands.execute(new SavePlanAsTemplateCommand(id, body, options));
    return versionHeaders(res, saved);
  }
}
