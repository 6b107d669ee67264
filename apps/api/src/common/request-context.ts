import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { combineExpectedRevision, parseIfMatch } from './if-match';

/** Options of one write, resolved from the request. */
export interface WriteOptions {
  expectedRevision?: number;
  actor: string;
  correlationId: string;
}

/** What a write request carries besides its body: its precondition and who/what issued it. */
export class WriteContext {
  constructor(
    /** Revision named by If-Match, if any. */
    readonly ifMatch: number | undefined,
    /** Recorded in event metadata. From `X-Chunkwise-Actor` (sanitised) or `api`. */
    readonly actor: string,
    /** Correlates the events of one request. From `X-Request-Id` (sanitised) or a fresh UUID. */
    readonly correlationId: string,
  ) {}

  /** The revision the write was based on: If-Match or the body's `expectedRevision` (they must agree). */
  expectedRevision(fromBody?: number): number | undefined {
    return combineExpectedRevision(this.ifMatch, fromBody);
  }

  /** The options of the write, given the body's `expectedRevision` (400 when it contradicts If-Match). */
  options(bodyExpectedRevision?: number): WriteOptions {
    return {
      expectedRevision: this.expectedRevision(bodyExpectedRevision),
      actor: this.actor,
      correlationId: this.correlationId,
    };
  }
}

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/;
const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && TOKEN.test(v) ? v : undefined;
};

export function writeContextOf(req: Request): WriteContext {
  return new WriteContext(
    parseIfMatch(req.headers['if-match']),
    header(req, 'x-chunkwise-actor') ?? 'api',
    header(req, 'x-request-id') ?? randomUUID(),
  );
}

/** Injects the WriteContext of the current request (400 on a malformed If-Match). */
export const Write = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  writeContextOf(ctx.switchToHttp().getRequest<Request>()),
);
