import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { PlanDocumentBody } from './api-client';
import { CliError } from './errors';

/**
 * Reads a plan document from disk. JSON (`.json`) is parsed and sent as JSON; YAML (`.yaml`,
 * `.yml`, or anything that is not JSON) is checked locally for syntax errors (with line numbers)
 * and sent as written, so the server records the original format.
 */
export function readPlanFile(file: string): PlanDocumentBody & { path: string; parsed: unknown } {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new CliError(`cannot read plan file ${file}: ${why}`);
  }
  if (text.trim() === '') throw new CliError(`plan file ${file} is empty`);

  const ext = extname(path).toLowerCase();
  const looksJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text));
  if (looksJson) {
    try {
      const document: unknown = JSON.parse(text);
      return { format: 'json', document, path, parsed: document };
    } catch (err) {
      if (ext === '.json')
        throw new CliError(
          `plan file ${file} is not valid JSON: ${jsonErrorWhere(text, (err as Error).message)}`,
        );
      // not JSON after all: YAML is a superset, try it below
    }
  }

  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new CliError(
      `plan file ${file} is not valid YAML (${doc.errors.length} error${doc.errors.length === 1 ? '' : 's'}):`,
      doc.errors.map((e) => e.message.split('\n')[0].replace(/:$/, '')),
    );
  }
  const parsed: unknown = doc.toJS();
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(
      `plan file ${file} must hold a mapping (title, chunks, tasks), not ${Array.isArray(parsed) ? 'a list' : typeof parsed}`,
    );
  }
  return { format: 'yaml', text, path, parsed };
}

/** Adds "line L, column C" to JSON.parse's "… at position N". */
function jsonErrorWhere(text: string, rawMessage: string): string {
  // V8 sometimes echoes the whole input: `Unexpected token 'x', "{…}" is not valid JSON`.
  const message = rawMessage.replace(/, ".*" is not valid JSON$/s, '');
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
