/**
 * The Chunkwise MCP resources, read through the same ChunkwiseApi port as the tools:
 * - chunkwise://plans/{planId}: the plan, grouped by chunk, with descriptions and acceptance;
 * - chunkwise://plans/{planId}/chunks/{chunkKey}: one chunk of it (what an agent working on that chunk needs);
 * - chunkwise://plans/{planId}/progress: the session's progress.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { ChunkwiseApi } from './api';
import { formatPlan, formatProgress, type PlanLike, type ProgressLike } from './format';

const enc = encodeURIComponent;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const textResource = (uri: URL, text: string): ReadResourceResult => ({
  contents: [{ uri: uri.href, mimeType: 'text/markdown', text }],
});

export function registerResources(server: McpServer, api: ChunkwiseApi): void {
  server.registerResource(
    'plan',
    new ResourceTemplate('chunkwise://plans/{planId}', {
      list: async (extra) => {
        const { plans } = await api.request<{ plans: PlanLike[] }>('GET', '/plans', { signal: extra.signal });
        return {
          resources: plans.map((p) => ({
            uri: `chunkwise://plans/${p.id}`,
            name: `${p.id} ${p.title}`,
            description: `${p.status}, revision ${p.revision}`,
            mimeType: 'text/markdown',
          })),
        };
      },
    }),
    {
      title: 'A plan',
      description: 'A plan grouped by chunk, with task descriptions and acceptance criteria',
      mimeType: 'text/markdown',
    },
    async (uri, vars, extra) =>
      textResource(
        uri,
        formatPlan(
          await api.request<PlanLike>('GET', `/plans/${enc(one(vars.planId))}`, { signal: extra.signal }),
          {
            details: true,
          },
        ),
      ),
  );

  server.registerResource(
    'plan-chunk',
    new ResourceTemplate('chunkwise://plans/{planId}/chunks/{chunkKey}', { list: undefined }),
    {
      title: 'One chunk of a plan',
      description:
        'The chunk-only view of a plan: one chunk with its tasks, descriptions and acceptance criteria',
      mimeType: 'text/markdown',
    },
    async (uri, vars, extra) =>
      textResource(
        uri,
        formatPlan(
          await api.request<PlanLike>('GET', `/plans/${enc(one(vars.planId))}`, { signal: extra.signal }),
          {
            details: true,
            chunk: one(vars.chunkKey),
          },
        ),
      ),
  );

  server.registerResource(
    'session-progress',
    new ResourceTemplate('chunkwise://plans/{planId}/progress', { list: undefined }),
    {
      title: 'Session progress',
      description: "The progress of a plan's session: per-chunk and per-task status, commits",
      mimeType: 'text/markdown',
    },
    async (uri, vars, extra) =>
      textResource(
        uri,
        formatProgress(
          await api.request<ProgressLike>('GET', `/plans/${enc(one(vars.planId))}/progress`, {
            signal: extra.signal,
          }),
        ),
      ),
  );
}
