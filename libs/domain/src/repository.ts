import type { Aggregate } from './aggregate';
import type { ExecutionSettingsInput } from './execution-settings';

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

// ---- one repository: stream `repository-<id>` ----

export type RepositoryCommand = { type: 'RegisterRepository'; repository: Repository };
export type RepositoryEvent = { type: 'RepositoryRegistered'; data: Repository };
export type RepositoryState = Repository | null;

/** One path is registered once: a second registration is refused with the one that won. */
export const repositoryAggregate: Aggregate<RepositoryCommand, RepositoryEvent, RepositoryState> = {
  initialState: () => null,
  evolve: (state, event) => (event.type === 'RepositoryRegistered' ? event.data : state),
  decide: (command, state) => {
    if (state) throw new RepositoryExistsError(state);
    return [{ type: 'RepositoryRegistered', data: command.repository }];
  },
  streamId: repositoryStreamId,
  exists: (state) => state !== null,
  creates: () => true,
  revision: () => 0,
};

// ---- the index of registered repositories: stream `repositories` ----

export type RepositoryIndexCommand = { type: 'IndexRepository'; id: string };
export type RepositoryIndexEvent = { type: 'RepositoryIndexed'; data: { id: string } };
/** Registered ids, in registration order. */
export type RepositoryIndexState = string[];

/** Indexing an indexed repository changes nothing (re-registering repairs a missing entry only). */
export const repositoryIndexAggregate: Aggregate<
  RepositoryIndexCommand,
  RepositoryIndexEvent,
  RepositoryIndexState
> = {
  initialState: () => [],
  evolve: (ids, event) =>
    event.type === 'RepositoryIndexed' && !ids.includes(event.data.id) ? [...ids, event.data.id] : ids,
  decide: (command, ids) =>
    ids.includes(command.id) ? [] : [{ type: 'RepositoryIndexed', data: { id: command.id } }],
  streamId: () => REPOSITORY_INDEX_STREAM,
  exists: (ids) => ids.length > 0,
  creates: () => true,
  revision: () => 0,
};
