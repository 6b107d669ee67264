import { Metadata, status } from '@grpc/grpc-js';
import { mapError } from '../common/error-mapping';
import type { ErrorBody } from '../common/error-response';
import { STATUS_DETAILS_KEY, statusDetails } from './status-details';

/** The error a gRPC handler fails with: grpc-js sends `code`, `details` and `metadata` (as trailers). */
export interface GrpcError {
  code: status;
  details: string;
  message: string;
  metadata: Metadata;
}

/** Metadata key of the error's JSON body (the REST error body: code, message, issues, currentRevision…). */
export const ERROR_METADATA_KEY = 'chunkwise-error';
/** Metadata key of the plan's current revision when a write's expected revision was stale (ABORTED). */
export const CURRENT_REVISION_METADATA_KEY = 'chunkwise-current-revision';
/** Metadata key of the error's code (e.g. `validation_failed`, `plan_frozen`, `stale_revision`). */
export const ERROR_CODE_METADATA_KEY = 'chunkwise-error-code';

/** Refused before any handler runs: a token is configured and the call lacks `authorization: Bearer <token>`. */
export class GrpcUnauthenticatedError extends Error {
  constructor() {
    super('missing or invalid bearer token (metadata authorization: Bearer <token>)');
  }
}

/** The gRPC code of an HTTP status (and error code) of the REST mapping. */
export function grpcCodeOf(httpStatus: number, errorCode?: string): status {
  if (errorCode === 'stale_revision') return status.ABORTED;
  switch (httpStatus) {
    case 400:
    case 413:
    case 415:
      return status.INVALID_ARGUMENT;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.NOT_FOUND;
    case 409:
      return status.FAILED_PRECONDITION;
    case 503:
      return status.UNAVAILABLE;
    default:
      return httpStatus >= 500 ? status.INTERNAL : status.UNKNOWN;
  }
}

const isGrpcError = (e: unknown): e is GrpcError =>
  typeof e === 'object' && e !== null && 'code' in e && 'metadata' in e && e.metadata instanceof Metadata;

/**
 * Any thrown value as a gRPC error, through the REST API's one mapping (`mapError`): the same
 * message, and the whole error body as JSON in the `chunkwise-error` trailer (every validation
 * issue, the current revision of a stale write, …).
 */
export function toGrpcError(error: unknown): { error: GrpcError; internal: boolean } {
  if (isGrpcError(error)) return { error, internal: false };
  if (error instanceof GrpcUnauthenticatedError) {
    return {
      error: grpcError(status.UNAUTHENTICATED, error.message, { code: 'unauthorized' }),
      internal: false,
    };
  }
  const { status: httpStatus, body, internal } = mapError(error);
  return { error: grpcError(grpcCodeOf(httpStatus, body.code), body.message, body), internal };
}

function grpcError(code: status, message: string, body: Partial<ErrorBody>): GrpcError {
  const metadata = new Metadata();
  if (body.code) metadata.set(ERROR_CODE_METADATA_KEY, String(body.code));
  if (typeof body.currentRevision === 'number')
    metadata.set(CURRENT_REVISION_METADATA_KEY, String(body.currentRevision));
  const short = shortened(message);
  const json = boundedJson({ ...body, message: short });
  metadata.set(ERROR_METADATA_KEY, json);
  // The same issues (as many as the JSON trailer kept) as a google.rpc.BadRequest, and an ErrorInfo.
  const kept = (JSON.parse(json) as Partial<ErrorBody>).issues ?? [];
  metadata.set(
    STATUS_DETAILS_KEY,
    statusDetails(code, short, {
      reason: body.code,
      metadata:
        typeof body.currentRevision === 'number' ? { currentRevision: String(body.currentRevision) } : {},
      violations: kept.map((i) => ({
        field: i.path ?? i.taskId ?? i.chunkKey ?? '',
        description: i.message,
      })),
    }),
  );
  return { code, details: short, message: short, metadata };
}

/** A validation message names every issue; the status line keeps its start (the trailer lists them all). */
const MAX_MESSAGE = 500;
const shortened = (message: string) =>
  message.length > MAX_MESSAGE
    ? `${message.slice(0, MAX_MESSAGE)}… (every issue: ${ERROR_METADATA_KEY})`
    : message;

/** Clients refuse trailers above 8 KiB (grpc-js default): this JSON, the binary details (base64) and the message share them. */
const MAX_ERROR_JSON = 2500;
const ascii = (json: string) =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function boundedJson(body: Partial<ErrorBody>): string {
  let json = ascii(JSON.stringify(body));
  const issues = body.issues ?? [];
  for (let kept = issues.length - 1; json.length > MAX_ERROR_JSON && kept >= 0; kept--) {
    json = ascii(
      JSON.stringify({ ...body, issues: issues.slice(0, kept), issuesOmitted: issues.length - kept }),
    );
  }
  return json;
}
