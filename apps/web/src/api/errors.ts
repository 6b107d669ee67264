import type { components } from './generated/schema';

export type ErrorBody = components['schemas']['Error'];
export type ValidationIssue = components['schemas']['ValidationIssue'];

/** An error answer of the API (or a network failure: status 0), with the message the API gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: Partial<ErrorBody>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get issues(): ValidationIssue[] {
    return this.body?.issues ?? [];
  }
  /** 409 stale revision: the revision to base a retry on. */
  get currentRevision(): number | undefined {
    return this.body?.currentRevision;
  }
  get isConflict(): boolean {
    return this.status === 409 && this.body?.code !== 'update_rejected';
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

function isErrorBody(x: unknown): x is Partial<ErrorBody> {
  return typeof x === 'object' && x !== null && 'message' in x;
}

/** Turns an openapi-fetch result into its data, or throws ApiError with the API's message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const { status, statusText } = result.response;
    const body = isErrorBody(result.error) ? result.error : undefined;
    const message = body?.message ?? (typeof result.error === 'string' && result.error ? result.error : '');
    throw new ApiError(status, message || `${status} ${statusText}`.trim(), body);
  }
  return result.data as T;
}

/** A readable one-line message for any thrown value. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.isNetwork ? `Cannot reach the API: ${e.message}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
