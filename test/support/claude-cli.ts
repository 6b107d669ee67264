import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { inCi } from './ci';

/** The Claude Code CLI the project pins as a dev dependency. */
export const CLAUDE_BIN = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'claude');

/** Why the real CLI cannot run here, or null when `claude --version` answers. */
export function claudeCliUnavailable(): string | null {
  if (!existsSync(CLAUDE_BIN))
    return `${CLAUDE_BIN} is missing (the devDependency @anthropic-ai/claude-code)`;
  try {
    const version = execFileSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    return /Claude Code/.test(version)
      ? null
      : `\`claude --version\` answered ${JSON.stringify(version.trim())}`;
  } catch (err) {
    // e.g. the npm package's placeholder when its postinstall (which puts the native binary in place) did not run
    return `\`claude --version\` failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

/**
 * Runs `define` with the real `claude` binary. Without it the suite fails under CI=true (CI
 * provisions it with `npm ci`) and otherwise registers one skipped test and says plainly why.
 */
export function withClaudeCli(suite: string, define: (bin: string) => void): void {
  const unavailable = claudeCliUnavailable();
  if (!unavailable) return define(CLAUDE_BIN);
  if (inCi) {
    test('the Claude Code CLI is installed', () => {
      throw new Error(`CI=true and the real claude CLI cannot run: ${unavailable}`);
    });
  } else {
    console.warn(`SKIPPING ${suite}: ${unavailable}`);
    test.skip(`${suite} (no runnable claude CLI: ${unavailable}; run \`npm ci\`)`, () => undefined);
  }
}
