import { LlmOutputError, LlmUnavailableError } from '@chunkwise/llm';
import { HttpException } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  InvalidRepositoryPathError,
  ChatBusyError,
  ChatSessionNotFoundError,
  ChatStoppingError,
  PlanNotFoundError,
  SessionStateError,
  StaleRevisionError,
  TemporalUnavailableError,
  UpdateRejectedError,
} from '@chunkwise/application';
import {
  BudgetExceededError,
  DomainError,
  RepositoryExistsError,
  RepositoryNotFoundError,
  TemplateNotFoundError,
  type DomainErrorCode,
} from '@chunkwise/domain';
import {
  classifyStorageError,
  EventStoreClosedError,
  EventStoreLimitError,
  StorageFullError,
} from '@chunkwise/event-store';
import { ReadModelStoreClosedError } from '@chunkwise/read-models';
import { errorBody, RequestValidationError, type ErrorBody } from './error-response';

/**
 * HTTP status of each domain error code.
 *
 * - 400: the request itself is wrong and would be wrong against any state (`validation_failed`,
 *   `invalid_command`: bad order list, a task moved before itself, removing a task others depend on).
 * - 404: the plan, chunk, task or schedule named does not exist (also when named in a body, e.g. `toChunk`
 *   or `beforeTaskId`).
 * - 409: the request is fine but conflicts with the plan's current state; it may succeed after the
 *   state changes: `plan_frozen` (finalized: reopen first), `plan_archived`, `invalid_transition`
 *   (e.g. reopen a draft), `plan_already_exists`, `chunk_exists`, `task_exists`, `chunk_not_empty`,
 *   `stale_suggestions` (a review made against an older revision whose suggestions no longer apply),
 *   `budget_exceeded` (a planning call that would cross the plan's budget: raise it or quick-edit).
 */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  invalid_command: 400,
  plan_not_found: 404,
  chunk_not_found: 404,
  task_not_found: 404,
  plan_already_exists: 409,
  plan_frozen: 409,
  plan_archived: 409,
  invalid_transition: 409,
  chunk_exists: 409,
  task_exists: 409,
  chunk_not_empty: 409,
  suggestion_set_not_found: 404,
  stale_suggestions: 409,
  budget_exceeded: 409,
  schedule_not_found: 404,
};

/**
 * HTTP status of each session state error: 409 when the plan's state does not allow the request
 * (a draft, an active session already, no active session, nothing to resume), 404 when the plan
 * was never executed.
 */
export const SESSION_ERROR_STATUS: Record<SessionStateError['code'], number> = {
  not_executable: 409,
  session_not_active: 409,
  not_resumable: 409,
  no_session: 404,
};

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when the error is ours, not the caller's: log it (with its stack), answer generically. */
  internal: boolean;
}

/** Maps any thrown value to the HTTP response. The single place where errors become statuses. */
export function mapError(error: unknown): MappedError {
  const ok = (status: number, body: ErrorBody): MappedError => ({ status, body, internal: false });

  if (error instanceof StaleRevisionError) {
    return ok(
      409,
      errorBody(409, error.message, { code: 'stale_revision', currentRevision: error.currentRevision }),
    );
  }
  if (error instanceof ChatSessionNotFoundError)
    return ok(404, errorBody(404, error.message, { code: 'chat_session_not_found' }));
  if (error instanceof ChatStoppingError)
    return ok(503, errorBody(503, error.message, { code: 'shutting_down' }));
  if (error instanceof ChatBusyError) return ok(409, errorBody(409, error.message, { code: 'chat_busy' }));
  if (error instanceof PlanNotFoundError)
    return ok(404, errorBody(404, error.message, { code: 'plan_not_found' }));
  if (error instanceof DomainError) {
    const status = DOMAIN_ERROR_STATUS[error.code] ?? 400;
    return ok(
      status,
      errorBody(status, error.message, {
        code: error.code,
        ...(error.issues.length ? { issues: error.issues } : {}),
        ...(error instanceof BudgetExceededError ? { budget: error.budget } : {}),
      }),
    );
  }
  if (error instanceof SessionStateError) {
    const status = SESSION_ERROR_STATUS[error.code] ?? 409;
    return ok(status, errorBody(status, error.message, { code: error.code }));
  }
  if (error instanceof UpdateRejectedError) {
    return ok(
      409,
      errorBody(409, `${error.action} refused: ${error.reason}`, {
        code: 'update_rejected',
        accepted: false,
        reason: error.reason,
      }),
    );
  }
  if (error instanceof LlmOutputError) {
    return ok(
      502,
      errorBody(502, `${error.message}; nothing was written`, {
        code: 'llm_invalid_output',
        issues: error.issues.map((message) => ({ code: 'schema' as const, message })),
      }),
    );
  }
  if (error instanceof LlmUnavailableError) {
    return ok(503, errorBody(503, error.message, { code: 'llm_unavailable' }));
  }
  if (error instanceof TemporalUnavailableError) {
    return ok(503, errorBody(503, error.message, { code: 'temporal_unavailable' }));
  }
  if (error instanceof WorkflowNotFoundError) {
    return ok(
      409,
      errorBody(409, `the session's workflow no longer exists in Temporal (${error.message})`, {
        code: 'workflow_not_found',
      }),
    );
  }
  if (error instanceof RepositoryNotFoundError) {
    return ok(404, errorBody(404, error.message, { code: 'repository_not_found' }));
  }
  if (error instanceof TemplateNotFoundError) {
    return ok(404, errorBody(404, error.message, { code: 'template_not_found' }));
  }
  if (error instanceof RepositoryExistsError) {
    return ok(
      409,
      errorBody(409, error.message, { code: 'repository_exists', repositoryId: error.repository.id }),
    );
  }
  if (error instanceof InvalidRepositoryPathError) {
    return ok(400, errorBody(400, error.message, { code: 'invalid_repository' }));
  }
  if (error instanceof RequestValidationError) {
    return ok(400, errorBody(400, error.message, { code: 'validation_failed', issues: error.issues }));
  }
  if (error instanceof EventStoreLimitError) {
    return ok(
      413,
      errorBody(413, 'the change is too large to store as one event', { code: 'event_too_large' }),
    );
  }
  const storage = classifyStorageError(error, 'write');
  if (storage instanceof StorageFullError) {
    const message =
      storage.reason === 'full'
        ? 'the server has no disk space left for this write; nothing was written. Free space on the data volume and retry (GET /api/health/ready shows the state)'
        : 'the server could not write to its storage (I/O error); nothing was written. Retry later (GET /api/health/ready shows the state)';
    // internal: the operator must see it in the log (with the driver's error); the client gets the clear message.
    return {
      status: 503,
      body: errorBody(503, message, {
        code: storage.reason === 'full' ? 'storage_full' : 'storage_unavailable',
      }),
      internal: true,
    };
  }
  if (error instanceof EventStoreClosedError || error instanceof ReadModelStoreClosedError) {
    return ok(503, errorBody(503, 'the server is shutting down; retry', { code: 'unavailable' }));
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    let message = error.message;
    let extra: Partial<ErrorBody> = {};
    if (typeof response === 'string') message = response;
    else if (response && typeof response === 'object') {
      const r = response as Record<string, unknown>;
      if (Array.isArray(r.message)) message = r.message.join('; ');
      else if (typeof r.message === 'string') message = r.message;
      const { statusCode: _s, error: _e, message: _m, ...rest } = r;
      extra = rest as Partial<ErrorBody>;
    }
    if (status >= 500) return { status, body: errorBody(status, 'internal server error'), internal: true };
    return ok(status, errorBody(status, message, extra));
  }
  return { status: 500, body: errorBody(500, 'internal server error'), internal: true };
}
