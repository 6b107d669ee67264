import { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createChunkwiseMcpServer, HttpChunkwiseApi } from '@chunkwise/mcp';
import { contextOf, type Deps } from '../context';

/**
 * `chunkwise mcp`: the Chunkwise MCP server over stdio, for Claude Code and other MCP clients. Its
 * tools call the REST API at --api / CHUNKWISE_API_URL (with CHUNKWISE_API_TOKEN as the bearer
 * token). stdout carries the protocol only; nothing else is written to it.
 */
export function mcpCommand(deps: Deps): Command {
  return new Command('mcp')
    .description(
      'serve the Chunkwise tools over MCP on stdio (for Claude Code: `claude mcp add chunkwise -- npx chunkwise mcp`)',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const api = new HttpChunkwiseApi({ url: ctx.apiUrl, token: ctx.env.CHUNKWISE_API_TOKEN || null });
      const server = createChunkwiseMcpServer(api);
      const transport = new StdioServerTransport();
      await server.connect(transport);
      ctx.io.err(`chunkwise mcp: serving on stdio, API ${api.base}`);
      // Serve until the client closes stdin; calls still running then are answered before the
      // process ends on its own (nothing else keeps it alive).
      await new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
      });
    });
}
