/**
 * Running the built `chunkwise` CLI as a real child process, for the CLI end-to-end suites.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { inCi } from './ci';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'chunkwise.js');
export const MAIN = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

/** Newest mtime of the TypeScript sources the CLI is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  const sources = ['apps', 'libs', 'workflows', 'activities'].map((d) => join(ROOT, d)).filter(existsSync);
  const built = existsSync(MAIN) ? statSync(MAIN).mtimeMs : 0;
  const stale = built === 0 || sources.some((d) => newestSource(d) > built);
  if (!stale) return;
  if (inCi && built === 0) {
    throw new Error(
      `${MAIN} is missing: the CLI e2e test needs the build (\`npm run setup\` or \`npm run build\` runs it)`,
    );
  }
  if (inCi) return; // CI built it moments ago; a newer mtime here is a checkout artefact, not an edit.
  console.warn(
    `CLI e2e: ${built === 0 ? 'no build' : 'the build is older than the sources'}; running \`npm run build\``,
  );
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0 && existsSync(MAIN)) {
    // Someone's work in progress elsewhere may not type-check. tsc still emitted JavaScript; resolve the
    // path aliases in it (the step `&&` skipped) and test the CLI with that.
    console.warn(
      `\`npm run build\` failed (exit ${result.status}); testing what tsc emitted.\n${result.stdout ?? ''}`.slice(
        -2000,
      ),
    );
    const alias = spawnSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (alias.status === 0) return;
  }
  if (result.status !== 0 || !existsSync(MAIN)) {
    throw new Error(
      `\`npm run build\` failed (exit ${result.status}); the CLI e2e tests run the built CLI.\n` +
        `${result.stdout ?? ''}\n${result.stderr ?? ''}`.slice(-4000),
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The environment of every child: ours, without any CHUNKWISE_* / TEMPORAL_* setting of the caller. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CHUNKWISE_') && !k.startsWith('TEMPORAL_')) env[k] = v;
  }
  // The Temporal CLI resolution must keep working when the caller pointed it somewhere.
  if (process.env.CHUNKWISE_TEMPORAL_BIN) env.CHUNKWISE_TEMPORAL_BIN = process.env.CHUNKWISE_TEMPORAL_BIN;
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `chunkwise …` to completion. */
export function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `chunkwise ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** Free ports for `chunkwise up` on `dataDir`: the API's URL and the arguments that start the stack there. */
export async function upOnFreePorts(dataDir: string): Promise<{ api: string; args: string[] }> {
  const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  return {
    api: `http://127.0.0.1:${port}`,
    args: [
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--temporal-port',
      String(temporalPort),
      '--temporal-ui-port',
      String(uiPort),
    ],
  };
}

export interface Up {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `chunkwise up …` and resolves once it prints that it is ready. */
export async function startUp(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Up> {
  const child = spawn(process.execPath, [BIN, 'up', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const up: Up = { child, output: () => out, exited };
  const deadline = Date.now() + timeoutMs;
  let gone: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (gone = e));
  while (!/Press Ctrl-C to stop/.test(out)) {
    if (gone)
      throw new Error(
        `chunkwise up exited (code ${gone.code}, signal ${gone.signal}) before it was ready:\n${out}`,
      );
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`chunkwise up was not ready within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return up;
}

export async function stopUp(up: Up, signal: NodeJS.Signals = 'SIGTERM') {
  up.child.kill(signal);
  const timer = setTimeout(() => up.child.kill('SIGKILL'), 30_000);
  try {
    return await up.exited;
  } finally {
    clearTimeout(timer);
  }
}
