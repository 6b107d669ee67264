import type { AgentConfig } from '@chunkwise/domain';
import { CommandAgentRunner } from './command-runner';
import type { AgentRunner } from './port';

/** The runner for an agent configuration. `claude-code` runs the `claude` CLI headless with stream-json output. */
export function createAgentRunner(config: AgentConfig): AgentRunner {
  switch (config.type) {
    case 'command':
      return new CommandAgentRunner(config);
    case 'claude-code':
      return new CommandAgentRunner({
        type: 'command',
        argv: [
          'claude',
          '-p',
          '--output-format',
          'stream-json',
          '--verbose',
          '--permission-mode',
          'acceptEdits',
          ...(config.model ? ['--model', config.model] : []),
          ...config.extraArgs,
        ],
        promptVia: 'stdin',
        timeoutSec: config.timeoutSec,
        envAllowlist: [
          'ANTHROPIC_API_KEY',
          'CLAUDE_CODE_USE_BEDROCK',
          'CLAUDE_CONFIG_DIR',
          ...config.envAllowlist,
        ],
        env: {},
      });
  }
}
