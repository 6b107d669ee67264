import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inCi } from './ci';

const MODULES = resolve(__dirname, '..', '..', 'node_modules');

/**
 * Where the pinned Claude Code CLI (the devDependency) may be: the npm bin link, whose target the
 * package's postinstall replaces with the native binary, and the platform package that holds that
 * binary (used directly when install scripts did not run and the link still points at a placeholder).
 */
export const CLAUDE_CANDIDATES = [
  join(MODULES, '.bin', 'claude'),
  join(MODULES, '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude'),
];

/** The first candidate that answers `--version`, or why none does. */
export function resolveClaudeCli(): { bin: string } | { unavailable: string } {
  const why: string[] = [];
  for (const bin of CLAUDE_CANDIDATES) {
    if (!existsSync(bin)) {
      why.push(`${bin} is missing`);
      continue;
    }
    try {
      const version = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      if (/Claude Code/.test(version)) return { bin };
      why.push(`\`${bin} --version\` answered ${JSON.stringify(version.trim())}`);
    } catch (err) {
      why.push(`\`${bin} --version\` failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return {
    unavailable: `no runnable claude CLI (devDependency @anthropic-ai/claude-code): ${why.join('; ')}`,
  };
}

/**
 * Runs `define` with the real `claude` binary. Without it the suite fails under CI=true (CI
 * provisions it with `npm ci`) and otherwise registers one skipped test and says plainly why.
 */
export function withClaudeCli(suite: string, define: (bin: string) => void): void {
  const found = resolveClaudeCli();
  if ('bin' in found) return define(found.bin);
  if (inCi) {
    test('the Claude Code CLI is installed', () => {
      throw new Error(`CI=true and ${found.unavailable}`);
    });
  } else {
    console.warn(`SKIPPING ${suite}: ${found.unavailable}`);
    test.skip(`${suite} (${found.unavailable}; run \`npm ci\`)`, () => undefined);
  }
}
