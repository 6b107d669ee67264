import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { ChunkwiseConfig } from '@chunkwise/config';

/** address (host:port), namespace and task queue: `loadConfig().temporal` from @chunkwise/config. */
export type TemporalConfig = ChunkwiseConfig['temporal'];

/** A workflow client; close it with `client.connection.close()`. */
export async function createTemporalClient(
  config: Pick<TemporalConfig, 'address' | 'namespace'>,
): Promise<Client> {
  const connection = await Connection.connect({ address: config.address });
  return new Client({ connection, namespace: config.namespace });
}

/**
 * The connection a Worker polls through; close it after the worker has stopped.
 * `@temporalio/worker` (native bridge, webpack) is loaded lazily so API processes never pay for it.
 */
export async function createNativeConnection(
  config: Pick<TemporalConfig, 'address'>,
): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect({ address: config.address });
}
