import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiResponse } from '@nestjs/swagger';

/** A reference to a component generated from the zod schemas registered in openapi.ts. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const ApiBodyOf = (name: string, description?: string) =>
  ApiBody({ schema: ref(name), description, required: true });

export const ApiResult = (status: number, name: string, description = 'OK') =>
  ApiResponse({ status, description, schema: ref(name) });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `issues` lists every problem',
  401: 'Missing or invalid bearer token (when CHUNKWISE_API_TOKEN is set)',
  404: 'Unknown plan, chunk, task, repository, template or turn; or a plan never executed (`no_session`)',
  409: 'Stale revision (`currentRevision` given), a conflict with the plan state (finalized, archived, exists, not executable, no active session, …) or a refused task update (`reason`)',
  413: 'Body over the configured limit',
  415: 'Unsupported Content-Type',
  502: "The model's answer stayed invalid after one repair turn (planning routes); nothing was written",
  503: 'No disk space for a write (`storage_full`, nothing written) or a storage I/O error (`storage_unavailable`), Temporal is not reachable (execution routes), the LLM is not configured or unreachable (planning routes), or the server is shutting down',
};

export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_TEXT[status] ?? 'Error', schema: ref('Error') }),
    ),
  );

/** Every write: optional If-Match precondition and the errors writes share. */
export const ApiWrite = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The plan revision the write is based on: 3, "3" or W/"3" (the ETag of GET /plans/:id). Stale → 409.',
    }),
    ApiErrors(400, 401, 404, 409, 413, 415, 503),
  );
