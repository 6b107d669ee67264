import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { type LoggerService, type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Client } from '@temporalio/client';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { LlmPort } from '@chunkwise/llm';
import { type ChunkwiseConfig, createEventStore, createReadModelStore } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import {
  Projector,
  type ProjectorLogger,
  type ProjectorOptions,
  type ReadModelStore,
} from '@chunkwise/read-models';
import type { SessionWorkflowInput } from '@chunkwise/contracts';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { bearerAuthMiddleware } from './common/bearer-auth';
import { installBodyParsing } from './common/body-parsing';
import type { HealthOptions } from './infrastructure/health-options';
import { DOCS_JSON_PATH, DOCS_PATH, setupOpenApi } from './openapi';
import { grpcAddress, grpcOptions } from './grpc/grpc-server';
import { installMcpEndpoint } from './mcp/mcp-endpoint';
import { installDashboard } from './web/dashboard';

export const API_PREFIX = 'api';

export interface CreateAppOptions {
  /** Use this event store instead of opening the configured one. The caller keeps it: app.close() does not close it. */
  eventStore?: EventStore;
  /** Use this read-model store instead of opening the configured one. The caller keeps it. */
  readModels?: ReadModelStore;
  /** Nest logger; default: the levels of config.logLevel. */
  logger?: LoggerService | LogLevel[] | false;
  /** How long a write waits for the projector to reach it (read-your-writes). Default 5000 ms. */
  projectionTimeoutMs?: number;
  /** Options of the in-process projector (when config.runProjector). */
  projector?: Omit<ProjectorOptions, 'logger'>;
  /**
   * Use this Temporal client for execution routes instead of connecting lazily to config.temporal.
   * The caller keeps it: app.close() does not close it.
   */
  temporalClient?: Client;
  /** How long the lazy Temporal connect may take before execution routes answer 503. Default 3000 ms. */
  temporalConnectTimeoutMs?: number;
  /** Use this LLM instead of the Anthropic client built from config.llm. */
  llm?: LlmPort;
  /** Activity timing knobs given to every session this API starts (tests shorten them). */
  sessionTiming?: SessionWorkflowInput['timing'];
  /** Thresholds and timeouts of the readiness checks (GET /api/health/ready). */
  health?: HealthOptions;
  /** The built dashboard to serve at / (default: CHUNKWISE_WEB_DIR, else the package's dist/web). */
  dashboardDir?: string;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
export const logLevelsOf = (level: ChunkwiseConfig['logLevel']): LogLevel[] =>
  LEVELS.slice(0, LEVELS.indexOf(level) + 1);

function projectorLogger(): ProjectorLogger {
  const logger = new Logger('Projector');
  return {
    log: (m) => logger.log(m),
    warn: (m) => logger.warn(m),
    error: (m, e) => logger.error(m, e instanceof Error ? e.stack : undefined),
    debug: (m) => logger.debug(m),
  };
}

/**
 * Builds the API application (initialised, not listening): opens the configured stores (unless
 * given), runs the projector in-process when config.runProjector (the store's lock makes extra
 * instances standbys), and installs auth, body parsing, the error filter and OpenAPI at /api/docs.
 * `app.close()` stops the projector and closes the stores it opened. Used by main.ts, by the tests,
 * and by `chunkwise up`, which runs the API in its own process.
 */
export async function createApp(
  config: ChunkwiseConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const owned: Array<{ close(): Promise<void> }> = [];
  let created: NestExpressApplication | undefined;
  try {
    let eventStore = options.eventStore;
    if (!eventStore) owned.push((eventStore = await createEventStore(config)));
    let readModels = options.readModels;
    if (!readModels) owned.push((readModels = await createReadModelStore(config)));
    const projector = config.runProjector
      ? new Projector(eventStore, readModels, { ...options.projector, logger: projectorLogger() })
      : null;
    const app = (created = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        config,
        eventStore,
        readModels,
        projector,
        owned,
        projectionTimeoutMs: options.projectionTimeoutMs ?? 5000,
        temporalClient: options.temporalClient,
        temporalConnectTimeoutMs: options.temporalConnectTimeoutMs,
        sessionTiming: { hostGraceSec: config.hostGraceSec, ...options.sessionTiming },
        llm: options.llm,
        health: options.health,
      }),
      new ExpressAdapter(),
      {
        bodyParser: false,
        abortOnError: false,
        logger: options.logger ?? logLevelsOf(config.logLevel),
      },
    ));
    configureApp(app, config, options.dashboardDir);
    await app.init();
    return app;
  } catch (e) {
    // app.close() closes what the app owns; the stores are closed again in case its hooks never ran.
    if (created) await created.close().catch(() => undefined);
    for (const store of owned) await store.close().catch(() => undefined);
    throw e;
  }
}

/** Everything that must be installed before `app.init()` (middleware order matters). */
function configureApp(app: NestExpressApplication, config: ChunkwiseConfig, dashboard?: string): void {
  app.disable('x-powered-by');
  // Plan ETags are revisions ("3"); Express's body-hash ETags would only confuse If-Match.
  app.set('etag', false);
  app.setGlobalPrefix(API_PREFIX);
  if (config.apiToken) app.use(bearerAuthMiddleware(config.apiToken));
  installMcpEndpoint(app, config.bodyLimit);
  installDashboard(app, API_PREFIX, dashboard);
  installBodyParsing(app, config.bodyLimit);
  app.useGlobalFilters(new ApiExceptionFilter());
  setupOpenApi(app);
}

export interface RunningApi {
  app: NestExpressApplication;
  /** e.g. http://127.0.0.1:8080 (no trailing slash). */
  baseUrl: string;
  apiUrl: string;
  docsUrl: string;
  /** The web dashboard, e.g. http://127.0.0.1:8080/ */
  dashboardUrl: string;
  /** The gRPC server (`host:port`), when config.grpcPort is set. */
  grpcAddress?: string;
}

/**
 * createApp + listen on config.host:config.port (port 0 picks a free port); returns the URLs. With
 * config.grpcPort, the gRPC services (same command and query handlers) are served on that port too.
 */
export async function startApi(config: ChunkwiseConfig, options: CreateAppOptions = {}): Promise<RunningApi> {
  const app = await createApp(config, options);
  try {
    if (config.grpcPort) {
      app.connectMicroservice(grpcOptions(config.host, config.grpcPort), { inheritAppConfig: false });
      await app.startAllMicroservices();
    }
    await app.listen(config.port, config.host);
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host.includes(':')
        ? `[${config.host}]`
        : config.host;
  const baseUrl = `http://${host}:${port}`;
  return {
    app,
    baseUrl,
    apiUrl: `${baseUrl}/${API_PREFIX}`,
    docsUrl: `${baseUrl}/${DOCS_PATH}`,
    dashboardUrl: `${baseUrl}/`,
    ...(config.grpcPort ? { grpcAddress: grpcAddress(host, config.grpcPort) } : {}),
  };
}

export { DOCS_JSON_PATH };
