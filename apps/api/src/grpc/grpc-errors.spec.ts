import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { status } from '@grpc/grpc-js';
import { PlanNotFoundError, StaleRevisionError, TemporalUnavailableError } from '@chunkwise/application';
import { DomainError } from '@chunkwise/domain';
import { RequestValidationError } from '../common/error-response';
import { GrpcUnauthenticatedError, toGrpcError } from './grpc-errors';

const trailer = (e: ReturnType<typeof toGrpcError>, key: string) => e.error.metadata.get(key)[0];

describe('toGrpcError (through the REST mapping)', () => {
  it('INVALID_ARGUMENT with every issue in the chunkwise-error trailer', () => {
    const issues = [
      { code: 'schema' as const, path: 'a', message: 'a is wrong' },
      { code: 'schema' as const, path: 'b', message: 'b is wrong — é' },
    ];
    const e = toGrpcError(new RequestValidationError(issues));
    expect(e.error.code).toBe(status.INVALID_ARGUMENT);
    const body = JSON.parse(String(trailer(e, 'chunkwise-error'))) as { issues: unknown[] };
    expect(body.issues).toEqual(issues);
    expect(String(trailer(e, 'chunkwise-error'))).toMatch(/^[ -~]*$/);
    expect(trailer(e, 'chunkwise-error-code')).toBe('validation_failed');
  });

  it('ABORTED with the current revision; NOT_FOUND; FAILED_PRECONDITION; UNAVAILABLE; UNAUTHENTICATED', () => {
    const stale = toGrpcError(new StaleRevisionError('p_1', 2, 5));
    expect(stale.error.code).toBe(status.ABORTED);
    expect(trailer(stale, 'chunkwise-current-revision')).toBe('5');
    expect(toGrpcError(new PlanNotFoundError('p_1')).error.code).toBe(status.NOT_FOUND);
    expect(toGrpcError(new DomainError('plan_frozen', 'frozen')).error.code).toBe(status.FAILED_PRECONDITION);
    expect(toGrpcError(new TemporalUnavailableError('x:1', 'down')).error.code).toBe(status.UNAVAILABLE);
    expect(toGrpcError(new GrpcUnauthenticatedError()).error.code).toBe(status.UNAUTHENTICATED);
  });

  it('internal errors are INTERNAL with a generic message', () => {
    const e = toGrpcError(new Error('SELECT secret FROM x'));
    expect(e.internal).toBe(true);
    expect(e.error.code).toBe(status.INTERNAL);
    expect(e.error.details).toBe('internal server error');
  });

  it('keeps a huge issue list within the trailer bound', () => {
    const issues = Array.from({ length: 500 }, (_, i) => ({
      code: 'schema' as const,
      path: `p${i}`,
      message: `problem number ${i}`,
    }));
    const body = String(trailer(toGrpcError(new RequestValidationError(issues)), 'chunkwise-error'));
    expect(body.length).toBeLessThanOrEqual(6000);
    expect(JSON.parse(body).issuesOmitted).toBeGreaterThan(0);
  });
});

describe('the generated types', () => {
  it('are what `buf generate` makes of the protos (regenerate with npm run generate:proto)', () => {
    const root = resolve(__dirname, '../../../..');
    const out = mkdtempSync(join(tmpdir(), 'cw-bufgen-'));
    try {
      execFileSync(join(root, 'node_modules', '.bin', 'buf'), ['generate', '--output', out], { cwd: root });
      const dir = join('apps', 'api', 'src', 'grpc', 'generated', 'chunkwise', 'v1');
      const files = readdirSync(join(root, dir)).sort();
      expect(readdirSync(join(out, dir)).sort()).toEqual(files);
      for (const f of files)
        expect(readFileSync(join(out, dir, f), 'utf8')).toBe(readFileSync(join(root, dir, f), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
