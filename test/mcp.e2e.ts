/**
 * The MCP server end to end, with the SDK's own client: over stdio (spawning the built
 * `chunkwise mcp`, a client of the API at CHUNKWISE_API_URL) and over streamable HTTP at /mcp on
 * the API. The real stack: the API from createApp with a bearer token, the Temporal dev server,
 * this host's session workers in-process, a real git repository and the example agent
 * (examples/agents/scripted-agent.js) as a real child process; Claude is the local Messages API
 * stand-in.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import { createNativeConnection, startTemporalDevServer, type TemporalDevServer } from '@chunkwise/temporal';
import { createApp } from '../apps/api/src/app.factory';
import { EVENT_STORE } from '../apps/api/src/infrastructure/tokens';
import { createSessionWorkers } from '../apps/worker/src/session-workers';
import { FakeAnthropic } from './support/fake-anthropic';
import { git, makeRepo } from './support/session-harness';
import { makeTempDir } from './support/temp-dir';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

const ROOT = resolve(__dirname, '..');
const AGENT = join(ROOT, 'examples', 'agents', 'scripted-agent.js');
const CHECK = join(ROOT, 'examples', 'agents', 'check.js');
const TOKEN = 'mcp-test-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const textOf = (r: unknown): string =>
  ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

withTemporalCli('test/mcp.e2e.ts', ({ path: binary }) => {
  describe('the MCP server (stdio and streamable HTTP) on the real stack', () => {
    const tmp = makeTempDir('cw-mcp-');
    const taskQueue = `chunkwise-mcp-${Math.random().toString(36).slice(2, 8)}`;
    let server: TemporalDevServer;
    let app: NestExpressApplication;
    let baseUrl: string;
    let connection: NativeConnection;
    let workers: Worker[] = [];
    let running: Array<Promise<void>> = [];
    let fake: FakeAnthropic;
    let repo: string;
    const clients: Client[] = [];

    beforeAll(async () => {
      fake = await FakeAnthropic.start();
      server = await startTemporalDevServer({ dataDir: join(tmp.path, 'temporal'), binary, headless: true });
      const config = loadConfig({
        CHUNKWISE_DATA_DIR: join(tmp.path, 'data'),
        TEMPORAL_ADDRESS: server.address,
        CHUNKWISE_TASK_QUEUE: taskQueue,
        CHUNKWISE_API_TOKEN: TOKEN,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: 'test-key',
        CHUNKWISE_LOG_LEVEL: 'error',
      });
      mkdirSync(config.dataDir, { recursive: true });
      app = await createApp(config, { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } });
      await app.listen(0, '127.0.0.1');
      baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      connection = await createNativeConnection({ address: server.address });
      ({ workers } = await createSessionWorkers({
        connection,
        namespace: 'default',
        taskQueue,
        eventStore: app.get<EventStore>(EVENT_STORE),
        dataDir: config.dataDir,
        hostId: 'mcp-test-host',
        heartbeatMs: 500,
      }));
      running = workers.map((w) => w.run());
      repo = makeRepo(join(tmp.path, 'target'));
    });

    afterAll(async () => {
      for (const c of clients) await c.close().catch(() => undefined);
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      await connection?.close();
      await app?.close();
      await server?.stop();
      await fake?.close();
      tmp.remove();
    });

    async function stdioClient(): Promise<Client> {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [join(ROOT, 'bin', 'chunkwise.js'), 'mcp'],
        env: {
          ...(process.env as Record<string, string>),
          CHUNKWISE_API_URL: baseUrl,
          CHUNKWISE_API_TOKEN: TOKEN,
        },
        stderr: 'pipe',
      });
      const client = new Client({ name: 'mcp-e2e-stdio', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    }

    async function httpClient(token: string | null = TOKEN): Promise<Client> {
      const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
        requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
      });
      const client = new Client({ name: 'mcp-e2e-http', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    }

    const call = async (client: Client, name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    const ok = async (client: Client, name: string, args: Record<string, unknown>) => {
      const r = await call(client, name, args);
      if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
      return textOf(r);
    };
    /** The session status: the first line of session_progress is "Session <id> of plan <id>: <status>". */
    const status = async (client: Client, planId: string) =>
      /^Session \S+ of plan \S+: (\w+)/.exec(await ok(client, 'session_progress', { planId }))?.[1];
    const waitStatus = async (client: Client, planId: string, want: string, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: string | undefined;
      while (Date.now() < deadline) {
        if ((last = await status(client, planId)) === want) return;
        await sleep(200);
      }
      throw new Error(`plan ${planId}: timed out waiting for ${want}; last status ${last}`);
    };

    const document = (title: string) => ({
      title,
      repository: repo,
      execution: {
        agent: { type: 'command', argv: [process.execPath, AGENT], timeoutSec: 60 },
        qaGates: [{ name: 'check', argv: [process.execPath, CHECK] }],
      },
      chunks: [
        { key: 'C01_build', title: 'Build' },
        { key: 'C02_finish', title: 'Finish' },
      ],
      tasks: [
        {
          id: 'T1',
          chunk: 'C01_build',
          title: 'first',
          description: 'sleep 1500\nwrite a.js exports.a = 1;',
        },
        {
          id: 'T2',
          chunk: 'C01_build',
          title: 'second',
          description: 'write b.js exports.b = 2;',
          dependsOn: ['T1'],
        },
        { id: 'T3', chunk: 'C02_finish', title: 'third', description: 'write c.js exports.c = 3;' },
      ],
    });

    /** create → finalize → execute → progress → pause → resume → completed, through one client. */
    async function driveSession(client: Client, title: string): Promise<string> {
      const created = await ok(client, 'create_plan', { document: document(title) });
      const planId = /Created: plan (p_\S+) is now at revision (\d+)/.exec(created)?.[1];
      expect(planId).toBeDefined();
      expect(created).toContain('## C01_build — Build');
      expect(created).toMatch(/- T2 \[pending\] second \(after T1\)/);
      expect(await ok(client, 'finalize_plan', { planId })).toMatch(
        /^Finalized: plan p_\S+ is now at revision \d+/,
      );
      expect(await ok(client, 'execute_plan', { planId })).toMatch(/^Started session \S+ of plan p_/);
      expect(await ok(client, 'session_progress', { planId })).toMatch(/tasks: \d+\/3 completed/);

      expect(await ok(client, 'control_session', { planId, action: 'pause' })).toMatch(
        /^pause sent to session/,
      );
      await waitStatus(client, planId!, 'paused');
      const paused = await ok(client, 'session_progress', { planId });
      expect(paused).toMatch(/paused: /);
      expect(await ok(client, 'control_session', { planId, action: 'resume' })).toMatch(/: resumed\.$/);
      await waitStatus(client, planId!, 'completed');
      const done = await ok(client, 'session_progress', { planId });
      expect(done).toContain('tasks: 3/3 completed');
      expect(done).toMatch(/- T3 \[completed\] third \(.*commit [0-9a-f]{10}/);
      expect(git(repo, 'log', '--oneline', '--all').split('\n').length).toBeGreaterThanOrEqual(4);

      const history = await ok(client, 'plan_history', { planId, limit: 200 });
      expect(history).toMatch(/PlanCreated/);
      expect(history).toMatch(/TaskCompleted/);
      return planId!;
    }

    it('stdio: lists the tools and drives a session from create to completed', async () => {
      const client = await stdioClient();
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(
        [
          'apply_suggestions',
          'control_session',
          'create_plan',
          'edit_plan',
          'execute_plan',
          'finalize_plan',
          'generate_plan',
          'list_plans',
          'plan_history',
          'refine_plan',
          'review_plan',
          'session_progress',
          'show_plan',
          'task_action',
          'validate_plan',
        ].sort(),
      );
      expect(tools.length).toBeLessThanOrEqual(15);
      const planId = await driveSession(client, 'Driven over stdio');
      expect(await ok(client, 'list_plans', {})).toContain(planId);
    });

    it('HTTP: lists the tools and drives a session from create to completed; resources', async () => {
      const client = await httpClient();
      expect((await client.listTools()).tools).toHaveLength(15);
      const planId = await driveSession(client, 'Driven over HTTP');

      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
        'chunkwise://plans/{planId}',
        'chunkwise://plans/{planId}/chunks/{chunkKey}',
        'chunkwise://plans/{planId}/progress',
      ]);
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toContain(`chunkwise://plans/${planId}`);
      const read = async (uri: string) => {
        const r = await client.readResource({ uri });
        return (r.contents[0] as { text: string }).text;
      };
      const whole = await read(`chunkwise://plans/${planId}`);
      expect(whole).toContain('## C01_build');
      expect(whole).toContain('## C02_finish');
      expect(whole).toContain('write c.js');
      const chunk = await read(`chunkwise://plans/${planId}/chunks/C02_finish`);
      expect(chunk).toContain('## C02_finish');
      expect(chunk).not.toContain('C01_build');
      expect(await read(`chunkwise://plans/${planId}/progress`)).toContain('tasks: 3/3 completed');
    });

    it('imports a plan from another format (Spec Kit) and shows it by chunk', async () => {
      const client = await httpClient();
      const content = readFileSync(
        join(ROOT, 'test', 'fixtures', 'formats', 'speckit', '001-quirks', 'tasks.md'),
        'utf8',
      );
      const imported = await ok(client, 'create_plan', {
        document: content,
        format: 'auto',
        filename: 'tasks.md',
      });
      const [, planId] =
        /^Imported plan (p_\S+) \(revision \d+\) from speckit: \d+ chunks, \d+ tasks\./.exec(imported) ?? [];
      expect(planId).toBeDefined();
      const shown = await ok(client, 'show_plan', { planId });
      expect(shown).toMatch(/^Plan p_\S+ — /);
      expect(shown).toMatch(/\n## \S+/);
      expect(shown).toMatch(/- T001 \[completed\] Create the project structure/);
    });

    it('templates, rollback and schedules through the same tools: create_plan from a template, control_session rollback, execute_plan with a schedule', async () => {
      const client = await httpClient();
      const unknown = await call(client, 'create_plan', { template: 'no-such-template' });
      expect(unknown.isError).toBe(true);
      expect(textOf(unknown)).toMatch(/\(HTTP 404\)/);
      expect(textOf(unknown)).toMatch(/- fix-bug \(v0\): Fix a bug, regression test first — params: bug\*/);
      const missing = await call(client, 'create_plan', { template: 'fix-bug', params: {} });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toMatch(/\(HTTP 400\)/);
      expect(textOf(missing)).toMatch(/params\.bug/);
      const fromTemplate = await ok(client, 'create_plan', {
        template: 'fix-bug',
        params: { bug: 'totals are off by one cent on refunds' },
        repository: repo,
      });
      expect(fromTemplate).toMatch(/^Created from template fix-bug: plan p_\S+ is now at revision 1\./);
      expect(fromTemplate).toContain('totals are off by one cent on refunds');

      // A completed session rolled back: its tasks are pending again.
      const planId = await driveSession(client, 'Rolled back over MCP');
      const rolledBack = await ok(client, 'control_session', { planId, action: 'rollback' });
      expect(rolledBack).toMatch(/^Rolled back session s_\S+: tasks pending again: T1, T2, T3\./);
      expect(rolledBack).toMatch(/- .*: reset to [0-9a-f]{10} \(3 commit\(s\) undone\)/);
      expect(await ok(client, 'show_plan', { planId })).toMatch(/- T1 \[pending\]/);
      const again = await call(client, 'control_session', { planId, action: 'rollback' });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/no commits to roll back.*\(HTTP 409\)/);

      // The same plan scheduled instead of executed now.
      const scheduled = await ok(client, 'execute_plan', {
        planId,
        schedule: { every: '1h', overlap: 'queue' },
      });
      expect(scheduled).toMatch(/^Scheduled plan p_\S+: schedule \S+, .*\(overlap queue\)/);
      expect(await ok(client, 'plan_history', { planId, limit: 5 })).toMatch(/ScheduleCreated/);
      const bad = await call(client, 'execute_plan', { planId, schedule: { every: 'often' } });
      expect(bad.isError).toBe(true);
      expect(textOf(bad)).toMatch(/\(HTTP 400\)/);
    });

    it("an invalid plan's problems come back as a tool error listing every one", async () => {
      const client = await httpClient();
      const bad = {
        title: 'Broken',
        tasks: [
          { id: 'T1', chunk: 'C01', title: 'a', dependsOn: ['T9'] },
          { id: 'T1', chunk: 'C01', title: 'duplicate' },
        ],
      };
      const created = await call(client, 'create_plan', { document: bad });
      expect(created.isError).toBe(true);
      const message = textOf(created);
      expect(message).toMatch(/\(HTTP 400\)/);
      expect(message).toMatch(/T9/);
      expect(message).toMatch(/duplicate|unique/i);
      expect(message.split('\n').filter((l) => l.startsWith('- ')).length).toBeGreaterThanOrEqual(2);

      const validated = await call(client, 'validate_plan', { document: bad });
      expect(validated.isError).toBe(true);
      expect(textOf(validated)).toMatch(/invalid: \d+ problem/);
      expect(textOf(validated)).toMatch(/T9/);
    });

    it('a stale edit comes back as a tool error naming the current revision (stdio)', async () => {
      const client = await stdioClient();
      const created = await ok(client, 'create_plan', { document: document('Edited') });
      const [, planId, rev] = /plan (p_\S+) is now at revision (\d+)/.exec(created)!;
      const first = await ok(client, 'edit_plan', {
        planId,
        action: 'update_task',
        taskId: 'T1',
        fields: { title: 'first, renamed' },
        expectedRevision: Number(rev),
      });
      const current = Number(/revision (\d+)/.exec(first)![1]);
      expect(current).toBe(Number(rev) + 1);
      const stale = await call(client, 'edit_plan', {
        planId,
        action: 'update_task',
        taskId: 'T2',
        fields: { title: 'lost update' },
        expectedRevision: Number(rev),
      });
      expect(stale.isError).toBe(true);
      expect(textOf(stale)).toMatch(/\(HTTP 409\)/);
      expect(textOf(stale)).toContain(`current revision: ${current}`);
      expect(await ok(client, 'show_plan', { planId })).toContain('- T1 [pending] first, renamed');
    });

    it('a long call reports progress notifications (generate with Claude over HTTP)', async () => {
      const client = await httpClient();
      fake.enqueue({
        delayMs: 2_500,
        stopReason: 'tool_use',
        usage: { input_tokens: 100, output_tokens: 50 },
        content: [
          {
            type: 'tool_use',
            name: 'submit_plan',
            input: {
              title: 'Generated',
              description: 'by the stand-in',
              chunks: [{ key: 'core', title: 'Core', description: 'core', executionMode: 'sequential' }],
              tasks: [
                {
                  id: 'T1',
                  chunk: 'core',
                  title: 'Do it',
                  description: 'it',
                  acceptance: ['done'],
                  dependsOn: [],
                  canRunInParallel: false,
                },
              ],
            },
          },
        ],
      });
      const progress: Progress[] = [];
      const r = (await client.callTool(
        { name: 'generate_plan', arguments: { title: 'Generated', description: 'Make it' } },
        undefined,
        { onprogress: (p) => progress.push(p) },
      )) as CallToolResult;
      expect(textOf(r)).toMatch(/^Generated: plan p_\S+ is now at revision 1/);
      expect(textOf(r)).toContain('- T1 [pending] Do it');
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress[0].message).toMatch(/generate: started/);
      expect(progress.at(-1)?.message).toMatch(/generate: done/);
      expect(progress.map((p) => p.progress)).toEqual(
        [...progress.map((p) => p.progress)].sort((a, b) => a - b),
      );
    });

    it('/mcp needs the bearer token when one is set (401 without it or with a wrong one)', async () => {
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      };
      const post = (headers: Record<string, string>) =>
        fetch(`${baseUrl}/mcp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...headers,
          },
          body: JSON.stringify(init),
        });
      const missing = await post({});
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      await expect(httpClient(null)).rejects.toThrow(/401/);
      const oversize = await fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ ...init, pad: 'x'.repeat(3 * 1024 * 1024) }),
      });
      expect(oversize.status).toBe(413);
      // Stateless: no standalone stream to open.
      expect((await fetch(`${baseUrl}/mcp`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
        405,
      );
    });
  });
});
