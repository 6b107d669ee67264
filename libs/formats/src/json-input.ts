import { normalizeNewlines } from './text';
import { ImportError, type FormatId } from './types';

/** JSON.parse with an error that names the line and column (and never echoes the whole input). */
export function parseJson(text: string, format: FormatId, file?: string): unknown {
  const clean = normalizeNewlines(text);
  try {
    return JSON.parse(clean);
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const message = raw.replace(/, ".*" is not valid JSON$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    const m = /position (\d+)/.exec(message);
    let line: number | undefined;
    let where = '';
    if (m) {
      const before = clean.slice(0, Number(m[1]));
      line = before.split('\n').length;
      where = ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
    } else if (/Unexpected end of JSON input/.test(message)) {
      line = clean.split('\n').length;
      where = ` (the input ends at line ${line}: is it truncated?)`;
    }
    throw new ImportError(
      [{ message: `not valid JSON: ${message.slice(0, 200)}${where}`, line, file }],
      format,
    );
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `tasks[3].subtasks[1]` */
export const jsonPath = (...parts: Array<string | number>) =>
  parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('')
    .replace(/^\./, '');

/** A string field (numbers are accepted and turned into strings); undefined when absent or of another type. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A list of strings: an array of strings/numbers, or one string. */
export function strList(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v] : [];
  if (Array.isArray(v)) return v.map(str).filter((s): s is string => s !== undefined && s.trim() !== '');
  return [];
}
