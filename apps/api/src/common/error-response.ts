import { STATUS_CODES } from 'node:http';
import type { BudgetExceeded, ValidationIssue } from '@chunkwise/domain';

/** The JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  /** The HTTP reason phrase ("Bad Request", "Conflict", ...). */
  error: string;
  message: string;
  /** Machine-readable cause when there is one (a domain error code, `stale_revision`, ...). */
  code?: string;
  /** Every validation problem found (400 validation errors). */
  issues?: ValidationIssue[];
  /** The plan's current revision (409 stale revision). */
  currentRevision?: number;
  /** On 409 update_rejected: always false, with the workflow's reason. */
  accepted?: false;
  reason?: string;
  /** On 409 repository_exists: the id the path is registered under. */
  repositoryId?: string;
  /** On 409 budget_exceeded: the limit crossed, what is spent and remains, the expected cost refused. */
  budget?: BudgetExceeded;
}

export function errorBody(statusCode: number, message: string, extra: Partial<ErrorBody> = {}): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra };
}

/** A request body or query that failed its schema; reported as 400 with every issue. */
export class RequestValidationError extends Error {
  constructor(
    readonly issues: ValidationIssue[],
    context = 'invalid request',
  ) {
    super(`${context}: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'RequestValidationError';
  }
}
