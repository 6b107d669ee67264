import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ChunkwiseApi } from './api';
import { registerResources } from './resources';
import { registerTools } from './tools';

export const MCP_SERVER_NAME = 'chunkwise';
export const MCP_SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = `Chunkwise executes plans for coding agents: a plan is ordered chunks of tasks with dependencies.
Typical flow: create_plan (or generate_plan) → show_plan / edit_plan / validate_plan → finalize_plan → execute_plan →
session_progress, control_session (pause/resume/stop/cancel), task_action (retry/skip/complete/approve/edit).
Ids: plans p_…, tasks and chunk keys as in the plan. Writes take an optional expectedRevision.`;

/**
 * The Chunkwise MCP server: the tools and resources over one ChunkwiseApi. The same server is
 * served over stdio (`chunkwise mcp`) and streamable HTTP (`/mcp` on the API).
 */
export function createChunkwiseMcpServer(api: ChunkwiseApi): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } },
  );
  registerTools(server, api);
  registerResources(server, api);
  return server;
}
