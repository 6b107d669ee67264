import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { CHUNKWISE_SEARCH_ATTRIBUTES } from '@chunkwise/contracts';
import { getFreePort, isPortOpen } from './free-port';
import { findProjectRoot } from './project-root';
import { startSupervisedProcess } from './supervised-process';
import type { TemporalDevServer } from './dev-server';

const run = promisify(execFile);
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The production profile's workflow engine: the Temporal server itself (built from its Go module by
 * `npm run setup -- --production-profile`), persisting to PostgreSQL. Unlike the dev server it is a
 * cluster member (frontend, history, matching and worker services in one process here) whose state
 * lives in two PostgreSQL databases, so any number of API and worker hosts can share it.
 */
export interface TemporalServerOptions {
  /** Where its config and log go (`<dataDir>/temporal-server/`). */
  dataDir: string;
  /** PostgreSQL server: host, port and a user that may create databases. */
  postgres: { host: string; port: number; user: string; password?: string };
  /** Database names; default `chunkwise_temporal` and `chunkwise_temporal_visibility`. */
  databases?: { main: string; visibility: string };
  /** Frontend gRPC port; a free one when omitted. The other services take free ports. */
  port?: number;
  /** Namespace to register (with Chunkwise's search attributes); default `default`. */
  namespace?: string;
  /** Where the binaries and schemas are; default `<project>/.tools/temporal-server`. */
  installDir?: string;
  guarded?: boolean;
  startTimeoutMs?: number;
}

export function temporalServerInstallDir(root: string = findProjectRoot()): string {
  return join(root, '.tools', 'temporal-server');
}

export class TemporalServerNotProvisioned extends Error {
  constructor(dir: string) {
    super(
      `the Temporal server is not provisioned (no ${join(dir, 'bin', 'temporal-server')}): ` +
        'run `npm run setup -- --production-profile` (needs Go; builds go.temporal.io/server)',
    );
    this.name = 'TemporalServerNotProvisioned';
  }
}

/** Whether the server binaries are there (tests and `up` say plainly when they are not). */
export function temporalServerProvisioned(installDir = temporalServerInstallDir()): boolean {
  return ['bin/temporal-server', 'bin/temporal-sql-tool', 'schema/postgresql/v12'].every((p) =>
    existsSync(join(installDir, p)),
  );
}

/**
 * Creates the two databases when missing and brings their schemas to the server's version with the
 * server's own SQL tool (idempotent: a schema already current is left as it is).
 */
export async function setupTemporalSchemas(o: TemporalServerOptions): Promise<void> {
  const dir = o.installDir ?? temporalServerInstallDir();
  const tool = join(dir, 'bin', 'temporal-sql-tool');
  const dbs = o.databases ?? defaultDatabases;
  for (const [db, schema] of [
    [dbs.main, 'temporal'],
    [dbs.visibility, 'visibility'],
  ] as const) {
    const base = [
      '--plugin',
      'postgres12',
      '--endpoint',
      o.postgres.host,
      '--port',
      String(o.postgres.port),
      '--user',
      o.postgres.user,
      ...(o.postgres.password ? ['--password', o.postgres.password] : []),
      '--database',
      db,
    ];
    const sql = async (...args: string[]) => {
      try {
        return (await run(tool, [...base, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
      } catch (err) {
        const e = err as { stderr?: string; stdout?: string; message: string };
        throw new Error(
          `temporal-sql-tool ${args.join(' ')} on ${db} failed: ${(e.stderr || e.stdout || e.message).trim().slice(-2000)}`,
          { cause: err },
        );
      }
    };
    // create-database fails when it exists; its error says so, anything else is real.
    await sql('create-database').catch((err: Error) => {
      if (!/already exists/i.test(err.message)) throw err;
    });
    // setup-schema -v 0.0 creates the version tables; on a database that has them it fails harmlessly.
    await sql('setup-schema', '-v', '0.0').catch((err: Error) => {
      if (!/already exists/i.test(err.message)) throw err;
    });
    await sql('update-schema', '-d', join(dir, 'schema', 'postgresql', 'v12', schema, 'versioned'));
  }
}

const defaultDatabases = { main: 'chunkwise_temporal', visibility: 'chunkwise_temporal_visibility' };

/** The server's static config: PostgreSQL persistence and SQL visibility, every port chosen by us. */
export function temporalServerConfig(o: {
  postgres: TemporalServerOptions['postgres'];
  databases: { main: string; visibility: string };
  ports: Record<
    | 'frontend'
    | 'frontendHttp'
    | 'frontendMembership'
    | 'history'
    | 'historyMembership'
    | 'matching'
    | 'matchingMembership'
    | 'worker'
    | 'workerMembership',
    number
  >;
  dynamicConfigFile: string;
}): string {
  const store = (db: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: db,
      connectAddr: `${o.postgres.host}:${o.postgres.port}`,
      connectProtocol: 'tcp',
      user: o.postgres.user,
      password: o.postgres.password ?? '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const svc = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...(httpPort ? { httpPort } : {}) },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': store(o.databases.main, 20),
        'postgres-visibility': store(o.databases.visibility, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: svc(o.ports.frontend, o.ports.frontendMembership, o.ports.frontendHttp),
      history: svc(o.ports.history, o.ports.historyMembership),
      matching: svc(o.ports.matching, o.ports.matchingMembership),
      worker: svc(o.ports.worker, o.ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${o.ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: o.dynamicConfigFile, pollInterval: '10s' },
  };
  // JSON is YAML: the server reads it as its development.yaml.
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Dynamic config: the dev server's dispatch tuning (see DEV_SERVER_TUNING), a namespace cache that
 * sees a new namespace within a second, and Chunkwise's updates.
 */
export const TEMPORAL_SERVER_DYNAMIC_CONFIG = `history.transferProcessorMaxPollRPS:
  - value: 1000
system.enableActivityEagerExecution:
  - value: true
frontend.enableUpdateWorkflowExecution:
  - value: true
system.namespaceCacheRefreshInterval:
  - value: 1s
`;

const INDEXED_VALUE_TYPE: Record<string, number> = { Text: 1, Keyword: 2 };

/** Starts the Temporal server on PostgreSQL (schemas first), registers the namespace and search attributes. */
export async function startTemporalServer(o: TemporalServerOptions): Promise<TemporalDevServer> {
  const installDir = o.installDir ?? temporalServerInstallDir();
  if (!temporalServerProvisioned(installDir)) throw new TemporalServerNotProvisioned(installDir);
  const namespace = o.namespace ?? 'default';
  const databases = o.databases ?? defaultDatabases;
  await setupTemporalSchemas({ ...o, installDir, databases });

  const root = resolve(o.dataDir, 'temporal-server');
  mkdirSync(join(root, 'config'), { recursive: true });
  const ip = '127.0.0.1';
  const frontend = o.port ?? (await getFreePort(ip));
  if (await isPortOpen(ip, frontend, 500)) throw new Error(`port ${ip}:${frontend} is already in use`);
  const ports = { frontend } as Parameters<typeof temporalServerConfig>[0]['ports'];
  for (const k of [
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ] as const) {
    const below = k.endsWith('Membership') ? 32_768 : undefined;
    let p = await getFreePort(ip, below);
    while (Object.values(ports).includes(p)) p = await getFreePort(ip, below);
    ports[k] = p;
  }
  const dynamicConfigFile = join(root, 'config', 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, TEMPORAL_SERVER_DYNAMIC_CONFIG);
  writeFileSync(
    join(root, 'config', 'development.yaml'),
    temporalServerConfig({ postgres: o.postgres, databases, ports, dynamicConfigFile }),
  );
  const logFile = join(root, 'temporal-server.log');
  const binary = join(installDir, 'bin', 'temporal-server');
  const args = ['--root', root, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'];
  const proc = await startSupervisedProcess({
    binary,
    args,
    cwd: root,
    logFile,
    label: 'Temporal server',
    guarded: o.guarded,
  });

  const address = `${ip}:${frontend}`;
  const timeoutMs = o.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not started';
  const fail = async (why: string) => {
    await proc.stop();
    return new Error(
      `${why}\nCommand: ${binary} ${args.join(' ')}\nLast lines of ${logFile}:\n${proc.logTail()}`,
    );
  };
  for (;;) {
    const exit = proc.exitInfo();
    if (exit)
      throw await fail(`the Temporal server exited during start (code ${exit.code}, signal ${exit.signal})`);
    if (Date.now() > deadline)
      throw await fail(
        `the Temporal server did not get ready on ${address} within ${timeoutMs} ms (last error: ${lastError})`,
      );
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await ensureNamespace(connection, namespace);
        break;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await delay(500);
  }

  return {
    address,
    uiUrl: undefined,
    namespace,
    dbFile: `postgresql://${o.postgres.host}:${o.postgres.port}/${databases.main}`,
    logFile,
    pid: proc.pid ?? -1,
    guardianPid: proc.guardianPid,
    logTail: proc.logTail,
    exited: proc.exited,
    stop: proc.stop,
  };
}

/** Registers the namespace and Chunkwise's search attributes when missing; resolves once both are usable. */
async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  const ws = connection.workflowService;
  try {
    await ws.describeNamespace({ namespace });
  } catch {
    await ws
      .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
      .catch((err: Error) => {
        if (!/already exists/i.test(err.message)) throw err;
      });
    await ws.describeNamespace({ namespace });
  }
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(CHUNKWISE_SEARCH_ATTRIBUTES).filter(
    ([name]) => !(name in (existing.customAttributes ?? {})),
  );
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([n, t]) => [n, INDEXED_VALUE_TYPE[t]])),
    });
  }
  // A workflow list by search attribute proves the namespace and its attributes are live.
  await ws.listWorkflowExecutions({ namespace, pageSize: 1, query: `ChunkwiseStatus = 'running'` });
}
