/**
 * The standard rich error model (google.rpc.Status in the `grpc-status-details-bin` trailer), so
 * that grpcurl and the google.rpc-aware client libraries show the details: a `BadRequest` with a
 * field violation per validation issue, and an `ErrorInfo` (reason: the error code, domain
 * `chunkwise`, metadata: the current revision of a stale write). Encoded by hand: four small
 * messages do not justify a protobuf runtime.
 */

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

export interface FieldViolation {
  field: string;
  description: string;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

const bytesField = (field: number, value: Buffer) =>
  Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
const stringField = (field: number, value: string) => bytesField(field, Buffer.from(value, 'utf8'));
const any = (type: string, value: Buffer) =>
  Buffer.concat([stringField(1, `type.googleapis.com/${type}`), bytesField(2, value)]);

function badRequest(violations: FieldViolation[]): Buffer {
  return Buffer.concat(
    violations.map((v) =>
      bytesField(1, Buffer.concat([stringField(1, v.field), stringField(2, v.description)])),
    ),
  );
}

function errorInfo(reason: string, metadata: Record<string, string>): Buffer {
  return Buffer.concat([
    stringField(1, reason),
    stringField(2, 'chunkwise'),
    ...Object.entries(metadata).map(([k, v]) =>
      bytesField(3, Buffer.concat([stringField(1, k), stringField(2, v)])),
    ),
  ]);
}

/** google.rpc.Status { code, message, details: [ErrorInfo?, BadRequest?] }, serialized. */
export function statusDetails(
  code: number,
  message: string,
  info: { reason?: string; metadata?: Record<string, string>; violations?: FieldViolation[] },
): Buffer {
  const details: Buffer[] = [];
  if (info.reason) details.push(any('google.rpc.ErrorInfo', errorInfo(info.reason, info.metadata ?? {})));
  if (info.violations?.length) details.push(any('google.rpc.BadRequest', badRequest(info.violations)));
  return Buffer.concat([
    ...(code ? [varint(1 << 3), varint(code)] : []),
    stringField(2, message),
    ...details.map((d) => bytesField(3, d)),
  ]);
}
