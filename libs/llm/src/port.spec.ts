import {
  DEFAULT_LLM_MODEL,
  llmConfigFromEnv,
  LlmConfigError,
  LlmOutputError,
  LlmUnavailableError,
} from './port';

describe('llmConfigFromEnv', () => {
  it('has defaults for everything but the key and base URL', () => {
    expect(llmConfigFromEnv({})).toEqual({
      apiKey: null,
      baseURL: null,
      model: DEFAULT_LLM_MODEL,
      maxTokens: 16000,
      maxRetries: 4,
      timeoutMs: 600000,
    });
    expect(DEFAULT_LLM_MODEL).toMatch(/^claude-sonnet-/);
  });

  it('reads every variable, ignoring empty ones', () => {
    expect(
      llmConfigFromEnv({
        ANTHROPIC_API_KEY: 'sk-ant-xyz',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000',
        CHUNKWISE_LLM_MODEL: 'claude-opus-4-6',
        CHUNKWISE_LLM_MAX_TOKENS: '32000',
        CHUNKWISE_LLM_MAX_RETRIES: '0',
        CHUNKWISE_LLM_TIMEOUT_MS: '',
      }),
    ).toEqual({
      apiKey: 'sk-ant-xyz',
      baseURL: 'http://127.0.0.1:4000',
      model: 'claude-opus-4-6',
      maxTokens: 32000,
      maxRetries: 0,
      timeoutMs: 600000,
    });
  });

  it('names every bad variable at once and never echoes the key', () => {
    let error: unknown;
    try {
      llmConfigFromEnv({
        ANTHROPIC_API_KEY: 'sk-ant-secret',
        ANTHROPIC_BASE_URL: 'not a url',
        CHUNKWISE_LLM_MAX_TOKENS: 'many',
        CHUNKWISE_LLM_MAX_RETRIES: '-1',
        CHUNKWISE_LLM_TIMEOUT_MS: '1.5',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LlmConfigError);
    const { problems, message } = error as LlmConfigError;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'ANTHROPIC_BASE_URL',
      'CHUNKWISE_LLM_MAX_RETRIES',
      'CHUNKWISE_LLM_MAX_TOKENS',
      'CHUNKWISE_LLM_TIMEOUT_MS',
    ]);
    expect(message).not.toContain('sk-ant-secret');
  });
});

describe('errors', () => {
  it('carry their details', () => {
    const out = new LlmOutputError('bad', ['a: wrong'], []);
    expect(out).toBeInstanceOf(Error);
    expect(out.name).toBe('LlmOutputError');
    expect(out.issues).toEqual(['a: wrong']);
    const down = new LlmUnavailableError('down', 529);
    expect(down.name).toBe('LlmUnavailableError');
    expect(down.status).toBe(529);
  });
});
