import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, describeConfig, loadConfig, type ChunkwiseConfig } from '@chunkwise/config';
import { configurePrices } from '@chunkwise/llm';
import { exitWithParent } from '@chunkwise/temporal';
import { startApi } from './app.factory';

/** The API process: configuration from the environment, then listen on CHUNKWISE_HOST:CHUNKWISE_PORT. */
async function main(): Promise<void> {
  // Started by `chunkwise up`: stop when it is gone, even if it was killed without stopping us.
  const running: { app?: { close(): Promise<void> } } = {};
  exitWithParent((why) => {
    new Logger('chunkwise-api').warn(`${why}: stopping`);
    return running.app?.close();
  });
  let config: ChunkwiseConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`chunkwise api: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  // Planning calls are priced in this process: the configured prices apply to them.
  configurePrices(config.prices ?? {});
  const logger = new Logger('chunkwise-api');
  logger.log(`configuration: ${JSON.stringify(describeConfig(config))}`);
  const started = await startApi(config);
  const { apiUrl, docsUrl } = started;
  running.app = started.app;
  started.app.enableShutdownHooks();
  logger.log(`API listening on ${apiUrl}`);
  logger.log(`OpenAPI docs on ${docsUrl} (JSON: ${docsUrl}-json)`);
  if (started.grpcAddress) logger.log(`gRPC listening on ${started.grpcAddress} (see docs/grpc.md)`);
}

main().catch((err: unknown) => {
  new Logger('chunkwise-api').error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
