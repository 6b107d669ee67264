import { inspect } from 'node:util';
import { DEFAULT_LLM_MODEL } from '@chunkwise/llm';
import { AgentConfigError, parseAnthropicAgentConfig } from './anthropic-runner-config';
import { createAgentRunner } from './runner-factory';

describe('anthropic agent configuration', () => {
  it('fills in defaults: the default model, 40 tool rounds, no commands', () => {
    expect(parseAnthropicAgentConfig({ type: 'anthropic' })).toEqual({
      type: 'anthropic',
      model: DEFAULT_LLM_MODEL,
      maxTokens: 16_000,
      maxToolRounds: 40,
      allowCommands: [],
      commandTimeoutMs: 120_000,
      timeoutSec: 1800,
    });
  });

  it('names every offending field, including unknown ones and command lines given as allowlist entries', () => {
    let error: unknown;
    try {
      parseAnthropicAgentConfig({
        type: 'anthropic',
        maxToolRounds: 0,
        allowCommands: ['npm', 'npm test', '/usr/bin/python3'],
        maxToolRound: 5,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AgentConfigError);
    const issues = (error as AgentConfigError).issues;
    expect(issues).toHaveLength(3);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^agent\.maxToolRounds: /),
        'agent.allowCommands.1: allowCommands entries are program names like "npm" or absolute paths, not "npm test" (the model gives arguments per call)',
        expect.stringMatching(/^agent: Unrecognized key: "maxToolRound"/),
      ]),
    );
    expect((error as Error).message).toMatch(/^invalid execution\.agent: /);
  });
});

describe('runner factory: anthropic', () => {
  it('creates the runner with credentials from the given environment, never exposing the key', () => {
    const runner = createAgentRunner(
      { type: 'anthropic', allowCommands: ['npm'] },
      { ANTHROPIC_API_KEY: 'sk-very-secret', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' },
    );
    expect(runner.type).toBe('anthropic');
    expect(JSON.stringify(runner)).not.toContain('sk-very-secret');
    expect(inspect(runner, { depth: 10, showHidden: true })).not.toContain('sk-very-secret');
  });

  it('refuses an invalid block with the configuration error', () => {
    expect(() => createAgentRunner({ type: 'anthropic', maxTokens: 10 } as any, {})).toThrow(
      AgentConfigError,
    );
  });

  it('refuses an unknown agent type', () => {
    expect(() => createAgentRunner({ type: 'cursor' } as any)).toThrow('unknown agent type cursor');
  });
});
