/**
 * Classifies driver errors that mean "the storage cannot take writes" (full disk, I/O failure), shared by
 * the event-store adapters and the read-model stores. Everything else is returned unchanged.
 */
import { StorageFullError } from './port';

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100']);

/** The storage code of `error` when it means "no space" or "storage I/O failure"; undefined otherwise. */
export function storageFailureOf(error: unknown): { reason: 'full' | 'io'; code: string } | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (FULL_CODES.has(code)) return { reason: 'full', code };
    if (code.startsWith('SQLITE_IOERR')) return { reason: 'io', code };
  }
  return undefined;
}

/** `error` as a StorageFullError when it is one (or a driver error meaning one), else `error` itself. */
export function classifyStorageError(error: unknown, what: string): unknown {
  if (error instanceof StorageFullError) return error;
  const failure = storageFailureOf(error);
  if (!failure) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const message =
    failure.reason === 'full'
      ? `${what}: no space left on the storage (${failure.code}: ${detail}); nothing was written`
      : `${what}: the storage failed while writing (${failure.code}: ${detail}); nothing was written`;
  return new StorageFullError(failure.reason, failure.code, message, { cause: error });
}
