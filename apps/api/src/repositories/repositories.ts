import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
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
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { RepositoryService } from '@chunkwise/application';
import type { Repository } from '@chunkwise/domain';
import { type RegisterRepositoryBody, registerRepositoryBodySchema } from './repository-schemas';

export class RegisterRepositoryCommand extends Command<Repository> {
  constructor(readonly body: RegisterRepositoryBody) {
    super();
  }
}
export class ListRepositoriesQuery extends Query<Repository[]> {}
export class GetRepositoryQuery extends Query<Repository> {
  constructor(readonly id: string) {
    super();
  }
}

@CommandHandler(RegisterRepositoryCommand)
export class RegisterRepositoryHandler implements ICommandHandler<RegisterRepositoryCommand> {
  constructor(private readonly repositories: RepositoryService) {}
  execute({ body }: RegisterRepositoryCommand): Promise<Repository> {
    return this.repositories.register(body);
  }
}

@QueryHandler(ListRepositoriesQuery)
export class ListRepositoriesHandler implements IQueryHandler<ListRepositoriesQuery> {
  constructor(private readonly repositories: RepositoryService) {}
  execute(): Promise<Repository[]> {
    return this.repositories.list();
  }
}

@QueryHandler(GetRepositoryQuery)
export class GetRepositoryHandler implements IQueryHandler<GetRepositoryQuery> {
  constructor(private readonly repositories: RepositoryService) {}
  execute({ id }: GetRepositoryQuery): Promise<Repository> {
    return this.repositories.get(id);
  }
}

export const REPOSITORY_HANDLERS = [RegisterRepositoryHandler, ListRepositoriesHandler, GetRepositoryHandler];

/**
 * Git repositories on the worker's machine that plans can target as `repo:<id>`, with execution
 * defaults (agent, QA gates, attempts…) that the plan's own settings override.
 */
@ApiTags('repositories')
@Controller('repositories')
export class RepositoriesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a git repository (absolute path on the worker machine)' })
  @ApiBodyOf('RegisterRepository')
  @ApiResult(201, 'Repository', 'Created; plans refer to it as `repo:<id>`')
  @ApiErrors(400, 401, 409, 415)
  async register(
    @Body(new ZodValidationPipe(registerRepositoryBodySchema)) body: RegisterRepositoryBody,
    @Res({ passthrough: true }) res: Response,
  ) {
    const repository = await this.commands.execute(new RegisterRepositoryCommand(body));
    res.setHeader('Location', `/api/repositories/${repository.id}`);
    return repository;
  }

  @Get()
  @ApiOperation({ summary: 'Registered repositories' })
  @ApiResult(200, 'RepositoryList')
  @ApiErrors(401)
  async list() {
    return { repositories: await this.queries.execute(new ListRepositoriesQuery()) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One registered repository' })
  @ApiResult(200, 'Repository')
  @ApiErrors(401, 404)
  get(@Param('id') id: string) {
    return this.queries.execute(new GetRepositoryQuery(id));
  }
}
