import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { status } from '@grpc/grpc-js';
import { Root } from 'protobufjs';
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
    expect(body.length).toBeLessThanOrEqual(2500);
    expect(JSON.parse(body).issuesOmitted).toBeGreaterThan(0);
  });
});

/** The google.rpc messages, to decode what the server hand-encodes. */
const rpc = Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            BadRequest: {
              fields: { fieldViolations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
              nested: {
                FieldViolation: {
                  fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } },
                },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: 'string', id: 1 },
                domain: { type: 'string', id: 2 },
                metadata: { keyType: 'string', type: 'string', id: 3 },
              },
            },
          },
        },
      },
    },
  },
} as Parameters<typeof Root.fromJSON>[0]);

describe('grpc-status-details-bin (google.rpc.Status)', () => {
  const decode = (e: ReturnType<typeof toGrpcError>) => {
    const raw = e.error.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const st = rpc
      .lookupType('google.rpc.Status')
      .toObject(rpc.lookupType('google.rpc.Status').decode(raw)) as {
      code: number;
      message: string;
      details: Array<{ type_url: string; value: Uint8Array }>;
    };
    const detail = (type: string) => {
      const d = st.details.find((x) => x.type_url === `type.googleapis.com/google.rpc.${type}`);
      return (
        d &&
        rpc.lookupType(`google.rpc.${type}`).toObject(rpc.lookupType(`google.rpc.${type}`).decode(d.value))
      );
    };
    return { st, detail };
  };

  it('a BadRequest with a violation per issue, and an ErrorInfo', () => {
    const e = toGrpcError(
      new RequestValidationError([
        { code: 'schema', path: 'document_json', message: 'must be JSON' },
        { code: 'schema', path: 'tasks', message: 'tasks must be a list' },
      ]),
    );
    const { st, detail } = decode(e);
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.message).toBe(e.error.details);
    expect(detail('BadRequest')).toEqual({
      fieldViolations: [
        { field: 'document_json', description: 'must be JSON' },
        { field: 'tasks', description: 'tasks must be a list' },
      ],
    });
    expect(detail('ErrorInfo')).toEqual({ reason: 'validation_failed', domain: 'chunkwise' });
  });

  it('the current revision of a stale write in the ErrorInfo', () => {
    const { st, detail } = decode(toGrpcError(new StaleRevisionError('p_1', 2, 7)));
    expect(st.code).toBe(status.ABORTED);
    expect(detail('ErrorInfo')).toEqual({
      reason: 'stale_revision',
      domain: 'chunkwise',
      metadata: { currentRevision: '7' },
    });
    expect(detail('BadRequest')).toBeUndefined();
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
