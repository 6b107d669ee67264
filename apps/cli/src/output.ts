/** Where a command writes. Injected so that commands can be tested without a process. */
export interface Io {
  /** A line (or block) for stdout. */
  out(text: string): void;
  /** A line (or block) for stderr. */
  err(text: string): void;
  /** Raw text for stdout, no newline added (progress lines). */
  write(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  write: (text) => process.stdout.write(text),
};

/**
 * A reader that stops early (`chunkwise --help | head`) closes the pipe, and the next write fails
 * with EPIPE. That is the reader's choice, not an error: exit at once with status 0 and no stack
 * trace (other write errors stay errors).
 */
export function exitQuietlyOnClosedPipe(
  stream: NodeJS.WritableStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    else throw err;
  });
}

/**
 * Runs one step of a longer operation, printing `label… ok (2.1 s)` (or `failed`) on one line.
 * `detail` adds to the ok: `ok (pid 42, 0.3 s)`.
 */
export async function step<T>(
  io: Io,
  label: string,
  fn: () => Promise<T>,
  detail?: (result: T) => string,
): Promise<T> {
  io.write(`${label}… `);
  const started = Date.now();
  try {
    const result = await fn();
    const extra = detail?.(result);
    io.write(`ok (${extra ? `${extra}, ` : ''}${formatDuration(Date.now() - started)})\n`);
    return result;
  } catch (err) {
    io.write(`failed (${formatDuration(Date.now() - started)})\n`);
    throw err;
  }
}

/** Pretty JSON, for `--json`. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
  /** Longer cells are cut with "…". */
  max?: number;
}

/** Cuts `text` to `max` characters (ending in "…"), and folds newlines into spaces. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return max <= 1 ? chars.slice(0, max).join('') : `${chars.slice(0, max - 1).join('')}…`;
}

const width = (s: string) => Array.from(s).length;

/** A plain-text table: a header row, then one row per item; columns separated by two spaces. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], indent = ''): string[] {
  const cells = rows.map((row) => columns.map((c) => truncate(c.value(row), c.max ?? 1000)));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]))));
  const line = (values: string[]) =>
    indent +
    values
      .map((v, i) => {
        const pad = ' '.repeat(widths[i] - width(v));
        return columns[i].align === 'right' ? pad + v : v + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2025-11-21 05:50:12` in local time; the input as is when it is not a date. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** `340 ms`, `2.1 s`, `3 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${pad2(s % 60)} s`;
}

/** 0..1 → `42%`. */
export function formatPercent(fraction: number | null | undefined): string {
  if (typeof fraction !== 'number' || Number.isNaN(fraction)) return '-';
  return `${Math.round(fraction * 100)}%`;
}

/** 12345.6 → `12,346`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
