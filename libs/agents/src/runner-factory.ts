import type { AgentConfig } from '@chunkwise/domain';
import { parseAnthropicAgentConfig, type AnthropicAgentInput } from './anthropic-runner-config';
import { AnthropicAgentRunner, anthropicCredentialsFromEnv } from './anthropic-runner';
import { ClaudeCodeRunner } from './claude-code-runner';
import { CommandAgentRunner } from './command-runner';
import type { AgentRunner } from './port';
import { commandEnvironment } from './workspace-tools-command';

/**
 * The runner for an agent configuration. `env` is the worker's environment: the anthropic
 * runner takes its API key and base URL from it here, and nowhere else.
 */
export function createAgentRunner(
  config: AgentConfig | AnthropicAgentInput,
  env: NodeJS.ProcessEnv = process.env,
): AgentRunner {
  switch (config.type) {
    case 'command':
      return new CommandAgentRunner(config);
    case 'claude-code':
      return new ClaudeCodeRunner(config, env);
    case 'anthropic':
      return new AnthropicAgentRunner(parseAnthropicAgentConfig(config), anthropicCredentialsFromEnv(env), {
        // Only what commands may see is kept: the runner holds no other secret of the worker.
        commandEnv: commandEnvironment(env),
      });
    default:
      throw new Error(`unknown agent type ${(config as { type?: unknown }).type}`);
  }
}
