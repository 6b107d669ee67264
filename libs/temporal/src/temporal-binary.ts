import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { findProjectRoot } from './project-root';

/** Where the Temporal CLI was found. */
export type TemporalBinarySource = 'env' | 'tools-path-file' | 'tools-bin' | 'PATH';

export interface TemporalBinary {
  path: string;
  source: TemporalBinarySource;
}

export interface ResolveTemporalBinaryOptions {
  env?: NodeJS.ProcessEnv;
  /** Repository root holding `.tools/`; found from this file's location by default. */
  root?: string;
}

/** Thrown when no Temporal CLI can be found; the message lists every place that was checked. */
export class TemporalBinaryNotFoundError extends Error {
  constructor(readonly checked: string[]) {
    super(
      'Temporal CLI not found. Run `npm run setup` to provision it (it uses `temporal` on PATH, ' +
        'builds it with `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`, or downloads it), ' +
        'or set CHUNKWISE_TEMPORAL_BIN to the path of a `temporal` executable.\nChecked:\n' +
        checked.map((c) => `  - ${c}`).join('\n'),
    );
    this.name = 'TemporalBinaryNotFoundError';
  }
}

const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the Temporal CLI, in order: `CHUNKWISE_TEMPORAL_BIN`, the path recorded by setup in
 * `.tools/temporal-path`, `.tools/bin/temporal`, then `temporal` on PATH.
 * Returns undefined when none is usable; {@link resolveTemporalBinary} throws instead.
 */
export function findTemporalBinary(
  options: ResolveTemporalBinaryOptions = {},
  checked: string[] = [],
): TemporalBinary | undefined {
  const env = options.env ?? process.env;
  const root = options.root ?? findProjectRoot();

  const fromEnv = env.CHUNKWISE_TEMPORAL_BIN?.trim();
  if (fromEnv) {
    const path = resolve(fromEnv);
    if (isExecutableFile(path)) return { path, source: 'env' };
    // An explicit setting that does not work is an error, not something to silently skip.
    throw new TemporalBinaryNotFoundError([`CHUNKWISE_TEMPORAL_BIN=${fromEnv}: not an executable file`]);
  }
  checked.push('CHUNKWISE_TEMPORAL_BIN: not set');

  const pathFile = join(root, '.tools', 'temporal-path');
  let recorded: string | undefined;
  try {
    recorded = readFileSync(pathFile, 'utf8').trim();
  } catch {
    checked.push(`${pathFile}: missing`);
  }
  if (recorded) {
    const path = isAbsolute(recorded) ? recorded : resolve(root, recorded);
    if (isExecutableFile(path)) return { path, source: 'tools-path-file' };
    checked.push(`${pathFile} points to ${path}: not an executable file`);
  }

  const toolsBin = join(root, '.tools', 'bin', EXE);
  if (isExecutableFile(toolsBin)) return { path: toolsBin, source: 'tools-bin' };
  checked.push(`${toolsBin}: missing`);

  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, EXE);
    if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  checked.push(`${EXE} on PATH: not found`);
  return undefined;
}

/** Like {@link findTemporalBinary} but throws {@link TemporalBinaryNotFoundError} with a clear message. */
export function resolveTemporalBinary(options: ResolveTemporalBinaryOptions = {}): TemporalBinary {
  const checked: string[] = [];
  const found = findTemporalBinary(options, checked);
  if (!found) throw new TemporalBinaryNotFoundError(checked);
  return found;
}
