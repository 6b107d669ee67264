import {
  BadRequestException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import {
  PlanNotFoundError,
  SessionStateError,
  StaleRevisionError,
  TemporalUnavailableError,
  UpdateRejectedError,
} from '@chunkwise/application';
import { isTemporalUnreachable } from '@chunkwise/temporal';
import { DomainError, type DomainErrorCode, ValidationError } from '@chunkwise/domain';
import { EventStoreClosedError, EventStoreLimitError, StorageFullError } from '@chunkwise/event-store';
import { bodyParserError } from './body-parsing';
import { DOMAIN_ERROR_STATUS, mapError } from './error-mapping';
import { RequestValidationError } from './error-response';

describe('mapError', () => {
  it('stale revision → 409 with the current revision', () => {
    const { status, body, internal } = mapError(new StaleRevisionError('p_1', 3, 5));
    expect(status).toBe(409);
    expect(internal).toBe(false);
    expect(body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'stale_revision',
      message: expect.stringContaining('revision 5'),
      currentRevision: 5,
    });
  });

  it('validation errors → 400 with every issue', () => {
    const issues = [
      { code: 'duplicate_task_id' as const, taskId: 'T1', message: 'task T1: duplicate task id' },
      { code: 'unknown_chunk' as const, taskId: 'T2', chunkKey: 'X', message: 'task T2: unknown chunk X' },
    ];
    expect(mapError(new ValidationError(issues))).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', issues },
    });
    expect(mapError(new RequestValidationError(issues))).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', issues },
    });
  });

  it('maps every domain error code, none to 5xx', () => {
    for (const [code, expected] of Object.entries(DOMAIN_ERROR_STATUS)) {
      const { status, body } = mapError(new DomainError(code as DomainErrorCode, 'x'));
      expect(status).toBe(expected);
      expect(status).toBeLessThan(500);
      expect(body.code).toBe(code);
    }
    expect(DOMAIN_ERROR_STATUS.plan_frozen).toBe(409);
    expect(DOMAIN_ERROR_STATUS.plan_archived).toBe(409);
    expect(DOMAIN_ERROR_STATUS.task_not_found).toBe(404);
    expect(mapError(new PlanNotFoundError('p_x')).status).toBe(404);
  });

  it('keeps HttpExceptions, flattening their message', () => {
    expect(mapError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Cannot GET /x' },
    });
    expect(mapError(new BadRequestException(['a', 'b'])).body.message).toBe('a; b');
    expect(mapError(new PayloadTooLargeException('too big')).status).toBe(413);
  });

  it('hides internal errors behind a generic 500', () => {
    const secret = new Error('connect ECONNREFUSED postgres://app:s3cret@db/x');
    const mapped = mapError(secret);
    expect(mapped).toEqual({
      status: 500,
      internal: true,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal server error' },
    });
    expect(JSON.stringify(mapError(new InternalServerErrorException('s3cret detail')).body)).not.toContain(
      's3cret',
    );
    expect(mapError('a string').status).toBe(500);
    expect(mapError(undefined).status).toBe(500);
  });

  it('store limits and shutdown are not 500s', () => {
    expect(mapError(new EventStoreLimitError('event too big')).status).toBe(413);
    expect(mapError(new EventStoreClosedError()).status).toBe(503);
  });
});

describe('storage errors', () => {
  const driverError = (code: string) => Object.assign(new Error('database or disk is full'), { code });

  it('a write that fails for lack of space → 503 storage_full with a clear message, not 500', () => {
    for (const error of [
      new StorageFullError('full', 'SQLITE_FULL', 'appending: no space'),
      driverError('SQLITE_FULL'),
      driverError('ENOSPC'),
      driverError('53100'),
      new Error('wrapped', { cause: driverError('SQLITE_FULL') }),
    ]) {
      const mapped = mapError(error);
      expect(mapped.status).toBe(503);
      expect(mapped.body.code).toBe('storage_full');
      expect(mapped.body.message).toMatch(/no disk space left.*nothing was written/);
      expect(mapped.internal).toBe(true); // logged for the operator
    }
  });

  it('a storage I/O error → 503 storage_unavailable; other driver errors stay 500', () => {
    expect(mapError(driverError('SQLITE_IOERR_WRITE'))).toMatchObject({
      status: 503,
      body: { code: 'storage_unavailable' },
    });
    expect(mapError(driverError('SQLITE_CONSTRAINT')).status).toBe(500);
    expect(mapError(driverError('23505')).status).toBe(500);
  });
});

describe('bodyParserError', () => {
  const err = (type: string, status: number, message = 'x') =>
    Object.assign(new Error(message), { type, status });
  it('translates body-parser failures', () => {
    expect(mapError(bodyParserError(err('entity.too.large', 413), 1000))).toMatchObject({
      status: 413,
      body: { message: 'request body exceeds the limit of 1000 bytes' },
    });
    expect(mapError(bodyParserError(err('entity.parse.failed', 400, 'Unexpected token }'), 1))).toMatchObject(
      {
        status: 400,
        body: { message: 'malformed JSON body: Unexpected token }' },
      },
    );
    expect(mapError(bodyParserError(err('charset.unsupported', 415), 1)).status).toBe(415);
    expect(mapError(bodyParserError(err('request.aborted', 400), 1)).status).toBe(400);
    expect(mapError(bodyParserError(err('something.else', 400), 1)).status).toBe(400);
    const unknown = new Error('boom');
    expect(bodyParserError(unknown, 1)).toBe(unknown);
  });
});

describe('execution errors', () => {
  it('maps session state errors: 409 for conflicts with the plan state, 404 for a plan never executed', () => {
    const status = (code: SessionStateError['code']) => mapError(new SessionStateError(code, 'x')).status;
    expect(status('not_executable')).toBe(409);
    expect(status('session_not_active')).toBe(409);
    expect(status('not_resumable')).toBe(409);
    expect(status('no_session')).toBe(404);
    expect(mapError(new SessionStateError('no_session', 'never executed')).body).toMatchObject({
      code: 'no_session',
      message: 'never executed',
    });
  });

  it('a refused task update is 409 with its reason; Temporal unreachable is 503 with the address', () => {
    expect(mapError(new UpdateRejectedError('retryTask', 'task A1 is completed, not failed'))).toMatchObject({
      status: 409,
      body: { code: 'update_rejected', accepted: false, reason: 'task A1 is completed, not failed' },
    });
    const down = mapError(new TemporalUnavailableError('127.0.0.1:7233', 'ECONNREFUSED'));
    expect(down).toMatchObject({ status: 503, internal: false, body: { code: 'temporal_unavailable' } });
    expect(down.body.message).toContain(
      'Temporal is not reachable at 127.0.0.1:7233; is `chunkwise up` running?',
    );
  });

  it('recognises an unreachable server through error causes', () => {
    expect(isTemporalUnreachable(Object.assign(new Error('x'), { code: 14 }))).toBe(true);
    expect(
      isTemporalUnreachable(new Error('wrap', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') })),
    ).toBe(true);
    expect(isTemporalUnreachable(new Error('workflow not found'))).toBe(false);
  });
});
