import { chatConfigFromEnv } from './chat-config';
import { ConfigError, loadConfig } from './config';

describe('chat configuration', () => {
  it('has defaults: ask before runs, no budget, the claude-code and anthropic agents', () => {
    const c = chatConfigFromEnv({});
    expect(c).toMatchObject({
      model: null,
      autoApprove: false,
      budgetUsd: null,
      compactTokens: 120_000,
      keepMessages: 8,
    });
    expect(Object.keys(c.agents)).toEqual(['claude-code', 'anthropic']);
  });

  it('reads every variable, agents as JSON in the plan execution.agent shape', () => {
    const c = chatConfigFromEnv({
      CHUNKWISE_CHAT_MODEL: 'claude-haiku-5-5',
      CHUNKWISE_CHAT_AUTO_APPROVE: 'true',
      CHUNKWISE_CHAT_BUDGET_USD: '2.5',
      CHUNKWISE_CHAT_COMPACT_TOKENS: '5000',
      CHUNKWISE_CHAT_KEEP_MESSAGES: '4',
      CHUNKWISE_CHAT_RUN_WAIT_SEC: '60',
      CHUNKWISE_CHAT_AGENTS: '{"mine":{"type":"command","argv":["my-agent"]}}',
    });
    expect(c).toMatchObject({
      model: 'claude-haiku-5-5',
      autoApprove: true,
      budgetUsd: 2.5,
      compactTokens: 5000,
      keepMessages: 4,
      runWaitSec: 60,
    });
    expect(c.agents.mine).toMatchObject({ type: 'command', argv: ['my-agent'], timeoutSec: 1800 });
  });

  it('names every bad variable at start, with the rest of the configuration', () => {
    let error: ConfigError | null = null;
    try {
      loadConfig({
        CHUNKWISE_CHAT_AUTO_APPROVE: 'maybe',
        CHUNKWISE_CHAT_BUDGET_USD: '-1',
        CHUNKWISE_CHAT_AGENTS: '{"bad id!":{"type":"command","argv":[]}}',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = error!.problems.join('\n');
    expect(problems).toMatch(/CHUNKWISE_CHAT_AUTO_APPROVE must be true or false/);
    expect(problems).toMatch(/CHUNKWISE_CHAT_BUDGET_USD must be positive/);
    expect(problems).toMatch(/CHUNKWISE_CHAT_AGENTS\.bad id!: not a valid agent id/);
    expect(problems).toMatch(/CHUNKWISE_CHAT_AGENTS\.bad id!\.argv/);
    expect(() => chatConfigFromEnv({ CHUNKWISE_CHAT_AGENTS: 'not json' })).toThrow(
      /CHUNKWISE_CHAT_AGENTS: not JSON/,
    );
  });
});
