/**
 * The stack the chat tests run on: the real application (SQLite in a temp dir) pointed at the local
 * Messages API stand-in, the Temporal dev server, this host's session workers in-process (with their
 * own event-store connection, as in their own process, so the API can restart under them), a git
 * repository and a project directory. Runs use the deterministic test agent as the `test` agent.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '@chunkwise/config';
import { SqliteEventStore } from '@chunkwise/event-store';
import { createNativeConnection, startTemporalDevServer, type TemporalDevServer } from '@chunkwise/temporal';
import { createApp } from '../../apps/api/src/app.factory';
import { createSessionWorkers } from '../../apps/worker/src/session-workers';
import { FakeAnthropic, type FakeReply } from './fake-anthropic';
import { AGENT, git, makeRepo } from './session-harness';
import { makeTempDir } from './temp-dir';

export class ChatStack {
  readonly tmp = makeTempDir('cw-chat-');
  readonly dataDir = join(this.tmp.path, 'data');
  readonly project = join(this.tmp.path, 'project');
  readonly taskQueue = `chunkwise-chat-${Math.random().toString(36).slice(2, 8)}`;
  repo = '';
  baseUrl = '';
  fake!: FakeAnthropic;
  app!: NestExpressApplication;
  private server!: TemporalDevServer;
  private connection?: NativeConnection;
  private workers: Worker[] = [];
  private running: Array<Promise<void>> = [];
  private workerStore?: SqliteEventStore;

  async start(binary: string, env: Record<string, string> = {}): Promise<void> {
    this.fake = await FakeAnthropic.start();
    this.server = await startTemporalDevServer({
      dataDir: join(this.tmp.path, 'temporal'),
      binary,
      headless: true,
    });
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.repo = makeRepo(join(this.tmp.path, 'target'));
    fs.writeFileSync(join(this.repo, 'notes.md'), 'NOTES_MARKER: the login uses argon2\n');
    git(this.repo, 'add', '.');
    git(this.repo, 'commit', '-q', '-m', 'notes');
    await this.startApp(env);
    this.connection = await createNativeConnection({ address: this.server.address });
    this.workerStore = new SqliteEventStore(join(this.dataDir, 'events.db'));
    ({ workers: this.workers } = await createSessionWorkers({
      connection: this.connection,
      namespace: 'default',
      taskQueue: this.taskQueue,
      eventStore: this.workerStore,
      dataDir: this.dataDir,
      hostId: 'chat-test-host',
      heartbeatMs: 500,
    }));
    this.running = this.workers.map((w) => w.run());
  }

  /** Starts (or, after closing the running one, restarts) the API on the same data directory. */
  async startApp(env: Record<string, string> = {}): Promise<void> {
    const agents = JSON.stringify({
      test: {
        type: 'command',
        argv: [process.execPath, AGENT],
        timeoutSec: 60,
        env: { AGENT_LOG_DIR: join(this.tmp.path, 'agent-log') },
      },
    });
    const config = loadConfig({
      CHUNKWISE_DATA_DIR: this.dataDir,
      TEMPORAL_ADDRESS: this.server.address,
      CHUNKWISE_TASK_QUEUE: this.taskQueue,
      CHUNKWISE_LOG_LEVEL: 'error',
      ANTHROPIC_BASE_URL: this.fake.url,
      CHUNKWISE_LLM_MAX_RETRIES: '0',
      CHUNKWISE_CHAT_AGENTS: agents,
      ...env,
    });
    this.app = await createApp(config, { logger: false, sessionTiming: { heartbeatTimeoutSec: 10 } });
    await this.app.listen(0, '127.0.0.1');
    this.baseUrl = `http://127.0.0.1:${(this.app.getHttpServer().address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(this.running);
    await this.connection?.close();
    await this.app?.close();
    await this.workerStore?.close();
    await this.server?.stop();
    await this.fake?.close();
    this.tmp.remove();
  }
}

/** Scripted answers of the Messages API stand-in. */
export const say = (text: string, usage?: FakeReply['usage']): FakeReply => ({
  content: [{ type: 'text', text }],
  usage,
});
export const call = (name: string, input: unknown, id?: string): FakeReply => ({
  content: [{ type: 'tool_use', name, input, id }],
});
export const forced = (name: string, input: unknown): FakeReply => ({
  content: [{ type: 'tool_use', name, input }],
  usage: { input_tokens: 1000, output_tokens: 200 },
});
/** A plan of one chunk whose tasks carry the test agent's directives. */
export const planReply = (tasks: Array<{ id: string; directive: string }>) =>
  forced('submit_plan', {
    title: 'Chat run',
    description: 'made by the chat',
    chunks: [{ key: 'work', title: 'Work', description: 'the work', executionMode: 'sequential' }],
    tasks: tasks.map((t, i) => ({
      id: t.id,
      chunk: 'work',
      title: `Task ${t.id}`,
      description: t.directive,
      acceptance: ['done'],
      dependsOn: i ? [tasks[i - 1].id] : [],
      canRunInParallel: false,
    })),
  });
