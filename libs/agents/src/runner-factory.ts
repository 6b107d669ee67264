import type { AgentConfig } from '@chunkwise/domain';
import { ClaudeCodeRunner } from './claude-code-runner';
import { CommandAgentRunner } from './command-runner';
import type { AgentRunner } from './port';

/** The runner for an agent configuration. */
export function createAgentRunner(config: AgentConfig): AgentRunner {
  switch (config.type) {
    case 'command':
      return new CommandAgentRunner(config);
    case 'claude-code':
      return new ClaudeCodeRunner(config);
  }
}
