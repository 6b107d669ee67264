import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ChunkwiseApiError, type ApiRequestOptions, type ChunkwiseApi } from './api';
import { createChunkwiseMcpServer } from './server';

interface Call {
  method: string;
  path: string;
  options?: ApiRequestOptions;
}

/** A ChunkwiseApi that records each request and answers from `answer`. */
function fakeApi(answer: (c: Call) => unknown): ChunkwiseApi & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async request<T>(method: string, path: string, options?: ApiRequestOptions): Promise<T> {
      const c = { method, path, options };
      calls.push(c);
      const a = answer(c);
      if (a instanceof Error) throw a;
      return a as T;
    },
  };
}

async function connect(api: ChunkwiseApi): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createChunkwiseMcpServer(api).connect(serverSide);
  const client = new Client({ name: 'spec', version: '1' });
  await client.connect(clientSide);
  return client;
}

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('the MCP tools over the ChunkwiseApi port', () => {
  it('maps each edit_plan action to its REST route, passing expectedRevision', async () => {
    const api = fakeApi(() => ({ id: 'p_1', revision: 4 }));
    const client = await connect(api);
    const edit = (args: Record<string, unknown>) =>
      client.callTool({ name: 'edit_plan', arguments: { planId: 'p_1', expectedRevision: 3, ...args } });
    expect(textOf(await edit({ action: 'update_task', taskId: 'T1', fields: { title: 'x' } }))).toBe(
      'update_task: plan p_1 is now at revision 4.',
    );
    await edit({ action: 'set_dependencies', taskId: 'T2', dependsOn: ['T1'] });
    await edit({ action: 'move_task', taskId: 'T2', toChunk: 'C02' });
    await edit({ action: 'remove_chunk', chunkKey: 'C03' });
    await edit({ action: 'reorder_chunks', order: ['C02', 'C01'] });
    await edit({ action: 'add_chunk', chunkKey: 'C09', fields: { title: 'New' }, index: 0 });
    expect(api.calls.map((c) => `${c.method} ${c.path} ${JSON.stringify(c.options?.json)}`)).toEqual([
      'PATCH /plans/p_1/tasks/T1 {"title":"x","expectedRevision":3}',
      'PUT /plans/p_1/tasks/T2/dependencies {"dependsOn":["T1"],"expectedRevision":3}',
      'POST /plans/p_1/tasks/T2/move {"toChunk":"C02","expectedRevision":3}',
      'DELETE /plans/p_1/chunks/C03 {"expectedRevision":3}',
      'PUT /plans/p_1/chunks/order {"order":["C02","C01"],"expectedRevision":3}',
      'POST /plans/p_1/chunks {"title":"New","key":"C09","index":0,"expectedRevision":3}',
    ]);
    const missing = (await edit({ action: 'update_task', fields: {} })) as CallToolResult;
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe('update_task needs taskId');
  });

  it("turns the server's refusal into a tool error: message, every problem, the current revision", async () => {
    const client = await connect(
      fakeApi(
        () =>
          new ChunkwiseApiError(
            400,
            'invalid plan: T1 depends on unknown task T9; duplicate task id',
            'invalid_plan',
            [
              { code: 'unknown_dependency', message: 'T1 depends on unknown task T9', taskId: 'T1' },
              { code: 'duplicate_task', message: 'duplicate task id', taskId: 'T1' },
            ],
          ),
      ),
    );
    const r = (await client.callTool({
      name: 'finalize_plan',
      arguments: { planId: 'p_1' },
    })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe(
      [
        'invalid plan [invalid_plan] (HTTP 400)',
        '2 problem(s):',
        '- T1 depends on unknown task T9 [unknown_dependency]',
        '- duplicate task id (at T1) [duplicate_task]',
      ].join('\n'),
    );
    const stale = await connect(
      fakeApi(() => new ChunkwiseApiError(409, 'stale revision', 'stale_revision', [], 7)),
    );
    expect(
      textOf(
        await stale.callTool({ name: 'finalize_plan', arguments: { planId: 'p_1', expectedRevision: 5 } }),
      ),
    ).toContain('current revision: 7');
  });

  it('a rejected task update is a tool error with the reason', async () => {
    const client = await connect(fakeApi(() => ({ accepted: false, reason: 'T1 is not failed' })));
    const r = (await client.callTool({
      name: 'task_action',
      arguments: { planId: 'p_1', taskId: 'T1', action: 'retry' },
    })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe('retry T1 rejected: T1 is not failed');
  });

  it('shows a plan grouped by chunk, compactly', async () => {
    const client = await connect(
      fakeApi(() => ({
        id: 'p_1',
        title: 'Todo',
        status: 'draft',
        revision: 2,
        finalizedRevision: null,
        chunks: [
          {
            key: 'C01',
            title: 'Models',
            executionMode: 'sequential',
            pauseAfter: true,
            tasks: [{ id: 'T1', title: 'model', status: 'pending', dependsOn: [], description: 'long text' }],
          },
          {
            key: 'C02',
            title: 'CLI',
            executionMode: 'parallel',
            tasks: [{ id: 'T2', title: 'cli', status: 'pending', dependsOn: ['T1'], canRunInParallel: true }],
          },
        ],
      })),
    );
    expect(textOf(await client.callTool({ name: 'show_plan', arguments: { planId: 'p_1' } }))).toBe(
      [
        'Plan p_1 — Todo',
        'status: draft, revision 2',
        '',
        '## C01 — Models [sequential, pauseAfter]',
        '- T1 [pending] model',
        '',
        '## C02 — CLI [parallel]',
        '- T2 [pending] cli (after T1; parallel)',
      ].join('\n'),
    );
  });
});
