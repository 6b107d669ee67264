/**
 * The command line and environment of a headless `claude` turn (pure, so the choices are tested
 * without a process). Why each one is there: docs/agents.md ("claude-code").
 */
export interface ClaudeCodeArgs {
  command?: string;
  model?: string;
  /** Claude Code permission rules beyond edits in the work tree, e.g. "Bash(npm test)". */
  allowedTools?: string[];
  extraArgs: string[];
}

/** Variables that keep a headless run quiet: no telemetry, error reports, update checks or other traffic. */
export const CLAUDE_HEADLESS_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_AUTOUPDATER: '1',
};

/** Worker variables the CLI may see (the API key is not one of them: it goes through `apiKeyHelper`). */
export const CLAUDE_ENV_ALLOWLIST = [
  'ANTHROPIC_BASE_URL',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
];

export function claudeCodeArgv(
  config: ClaudeCodeArgs,
  run: { sessionId: string; apiKeyFile: string | null },
): string[] {
  const settings = run.apiKeyFile ? { apiKeyHelper: `cat ${shellWord(run.apiKeyFile)}` } : null;
  const allowed = config.allowedTools ?? [];
  return [
    config.command ?? 'claude',
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    // Edits inside the work tree need no approval; writes outside it, into .git or .claude, and
    // commands not allowed below are refused (nobody is there to approve them).
    '--permission-mode',
    'acceptEdits',
    // Only the private configuration directory's settings: none from the work tree, whose
    // .claude/settings.json could allow commands or add hooks.
    '--setting-sources',
    'user',
    ...(settings ? ['--settings', JSON.stringify(settings)] : []),
    // Each rule its own argument (rules hold spaces); the option is variadic, so a flag follows.
    ...(allowed.length ? ['--allowedTools', ...allowed] : []),
    '--session-id',
    run.sessionId,
    ...(config.model ? ['--model', config.model] : []),
    ...config.extraArgs,
  ];
}

/** A single-quoted shell word: `apiKeyHelper` is run by a shell, and the path is ours, but quoted anyway. */
export const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
