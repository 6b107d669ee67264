import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { executionSettingsInputSchema, type ExecutionSettingsInput } from '@chunkwise/domain';
import type { EventStore, StoredEvent } from '@chunkwise/event-store';
import { isGitRepository } from '@chunkwise/git';
import { z } from 'zod';

/** A registered git repository on the worker's machine, with execution defaults for its plans. */
export interface Repository {
  id: string;
  path: string;
  name: string;
  defaults: ExecutionSettingsInput;
  registeredAt: string;
}

export const REPOSITORY_REFERENCE_PREFIX = 'repo:';
export const REPOSITORY_INDEX_STREAM = 'repositories';
export const repositoryStreamId = (id: string) => `repository-${id}`;
export const REPOSITORY_ID_PATTERN = /^r_[a-f0-9]{12}$/;

/** `repo:<id>` → `<id>`, or null when the plan names a path. */
export function repositoryReference(repository: string | null | undefined): string | null {
  return repository?.startsWith(REPOSITORY_REFERENCE_PREFIX)
    ? repository.slice(REPOSITORY_REFERENCE_PREFIX.length)
    : null;
}

export class RepositoryNotFoundError extends Error {
  constructor(readonly repositoryId: string) {
    super(`repository ${repositoryId} is not registered (POST /api/repositories registers one)`);
    this.name = 'RepositoryNotFoundError';
  }
}

export class RepositoryExistsError extends Error {
  constructor(readonly repository: Repository) {
    super(`${repository.path} is already registered as repository ${repository.id}`);
    this.name = 'RepositoryExistsError';
  }
}

/** The path is not an existing git work tree on this machine (400). */
export class InvalidRepositoryPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRepositoryPathError';
  }
}

export const registerRepositoryBodySchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(4096)
      .refine((p) => path.isAbsolute(p), 'path must be absolute (a git repository on the worker machine)'),
    name: z.string().min(1).max(200).optional(),
    defaults: executionSettingsInputSchema
      .strict()
      .optional()
      .describe('Execution defaults of plans targeting this repository; plan settings override them.'),
  })
  .strict();
export type RegisterRepositoryBody = z.output<typeof registerRepositoryBodySchema>;

/** The id of a repository: derived from its real path, so one path is registered once. */
export const repositoryIdOf = (realPath: string) =>
  `r_${createHash('sha256').update(realPath).digest('hex').slice(0, 12)}`;

/**
 * Repositories, event-sourced: `RepositoryRegistered` on the stream `repository-<id>` (appended
 * with expected revision "no stream", so two registrations of one path cannot both win), and an
 * entry on the `repositories` index stream for listing (deterministic event id: re-registering
 * repairs a missing index entry without duplicating it).
 */
export class RepositoryService {
  constructor(private readonly store: EventStore) {}

  async register(body: RegisterRepositoryBody): Promise<Repository> {
    let real: string;
    try {
      real = await fs.realpath(body.path);
    } catch {
      throw new InvalidRepositoryPathError(`path ${body.path} does not exist on this machine`);
    }
    if (!(await fs.stat(real)).isDirectory())
      throw new InvalidRepositoryPathError(`path ${body.path} is not a directory`);
    if (!(await isGitRepository(real)))
      throw new InvalidRepositoryPathError(`path ${body.path} is not a git repository (git init it first)`);
    const id = repositoryIdOf(real);
    const existing = await this.find(id);
    if (existing) {
      await this.index(id);
      throw new RepositoryExistsError(existing);
    }
    const repository: Repository = {
      id,
      path: real,
      name: body.name ?? path.basename(real),
      defaults: body.defaults ?? {},
      registeredAt: new Date().toISOString(),
    };
    try {
      await this.store.append(
        repositoryStreamId(id),
        [{ id: `repository-${id}-registered`, type: 'RepositoryRegistered', data: repository }],
        { expectedRevision: 'no_stream' },
      );
    } catch (e) {
      const winner = await this.find(id);
      if (winner) throw new RepositoryExistsError(winner);
      throw e;
    }
    await this.index(id);
    return repository;
  }

  private async index(id: string): Promise<void> {
    await this.store.append(
      REPOSITORY_INDEX_STREAM,
      [{ id: `repositories-index-${id}`, type: 'RepositoryIndexed', data: { id } }],
      { expectedRevision: 'any' },
    );
  }

  async find(id: string): Promise<Repository | null> {
    if (!REPOSITORY_ID_PATTERN.test(id)) return null;
    return fold(await this.store.readStream(repositoryStreamId(id)));
  }

  async get(id: string): Promise<Repository> {
    const repository = await this.find(id);
    if (!repository) throw new RepositoryNotFoundError(id);
    return repository;
  }

  async list(): Promise<Repository[]> {
    const ids = new Set(
      (await this.store.readStream(REPOSITORY_INDEX_STREAM)).map((e) => (e.data as { id: string }).id),
    );
    const all = await Promise.all([...ids].map((id) => this.find(id)));
    return all.filter((r): r is Repository => r !== null);
  }

  /** The path of a plan's `repository`: itself, or the registered path of `repo:<id>`. */
  async resolvePath(reference: string): Promise<string> {
    const id = repositoryReference(reference);
    return id === null ? reference : (await this.get(id)).path;
  }
}

function fold(events: StoredEvent[]): Repository | null {
  let repository: Repository | null = null;
  for (const e of events) {
    if (e.type === 'RepositoryRegistered') repository = e.data as Repository;
  }
  return repository;
}
