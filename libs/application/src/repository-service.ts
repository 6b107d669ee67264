import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  REPOSITORY_ID_PATTERN,
  repositoryAggregate,
  repositoryIndexAggregate,
  repositoryReference,
  RepositoryExistsError,
  RepositoryNotFoundError,
  type ExecutionSettingsInput,
  type Repository,
} from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import { isGitRepository } from '@chunkwise/git';
import { CommandHandler } from './command-handler';

/** The path is not an existing git work tree on this machine (400). */
export class InvalidRepositoryPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRepositoryPathError';
  }
}

export interface RegisterRepositoryRequest {
  path: string;
  name?: string;
  defaults?: ExecutionSettingsInput;
}

/** The id of a repository: derived from its real path, so one path is registered once. */
export const repositoryIdOf = (realPath: string) =>
  `r_${createHash('sha256').update(realPath).digest('hex').slice(0, 12)}`;

/**
 * Registered repositories (the aggregate is in @chunkwise/domain): `RepositoryRegistered` on the
 * stream `repository-<id>`, and an entry on the `repositories` index stream for listing. Both go
 * through the write path; a lost race on either is re-decided (a second registration of a path is
 * refused with the winner, indexing twice changes nothing).
 */
export class RepositoryService {
  private readonly repositories: CommandHandler<
    Parameters<typeof repositoryAggregate.decide>[0],
    Parameters<typeof repositoryAggregate.evolve>[1],
    Repository | null
  >;
  private readonly index: CommandHandler<
    Parameters<typeof repositoryIndexAggregate.decide>[0],
    Parameters<typeof repositoryIndexAggregate.evolve>[1],
    string[]
  >;

  constructor(store: EventStore) {
    const notFound = (id: string) => new RepositoryNotFoundError(id);
    this.repositories = new CommandHandler(store, repositoryAggregate, { notFound });
    this.index = new CommandHandler(store, repositoryIndexAggregate, { notFound });
  }

  async register(request: RegisterRepositoryRequest): Promise<Repository> {
    let real: string;
    try {
      real = await fs.realpath(request.path);
    } catch {
      throw new InvalidRepositoryPathError(`path ${request.path} does not exist on this machine`);
    }
    if (!(await fs.stat(real)).isDirectory())
      throw new InvalidRepositoryPathError(`path ${request.path} is not a directory`);
    if (!(await isGitRepository(real)))
      throw new InvalidRepositoryPathError(
        `path ${request.path} is not a git repository (git init it first)`,
      );
    const id = repositoryIdOf(real);
    const repository: Repository = {
      id,
      path: real,
      name: request.name ?? path.basename(real),
      defaults: request.defaults ?? {},
      registeredAt: new Date().toISOString(),
    };
    try {
      await this.repositories.execute(
        id,
        { type: 'RegisterRepository', repository },
        { eventId: () => `repository-${id}-registered` },
      );
    } catch (e) {
      // Registered before: repair an index entry a crash may have left out, then refuse.
      if (e instanceof RepositoryExistsError) await this.indexed(id);
      throw e;
    }
    await this.indexed(id);
    return repository;
  }

  private async indexed(id: string): Promise<void> {
    await this.index.execute(
      '',
      { type: 'IndexRepository', id },
      { eventId: () => `repositories-index-${id}` },
    );
  }

  async find(id: string): Promise<Repository | null> {
    if (!REPOSITORY_ID_PATTERN.test(id)) return null;
    return (await this.repositories.load(id)).state;
  }

  async get(id: string): Promise<Repository> {
    const repository = await this.find(id);
    if (!repository) throw new RepositoryNotFoundError(id);
    return repository;
  }

  async list(): Promise<Repository[]> {
    const { state: ids } = await this.index.load('');
    const all = await Promise.all(ids.map((id) => this.find(id)));
    return all.filter((r): r is Repository => r !== null);
  }

  /** The path of a plan's `repository`: itself, or the registered path of `repo:<id>`. */
  async resolvePath(reference: string): Promise<string> {
    const id = repositoryReference(reference);
    return id === null ? reference : (await this.get(id)).path;
  }
}
