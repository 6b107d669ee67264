import { createServer, Socket } from 'node:net';

/**
 * A TCP port that is free on `host` right now: the OS picks it, or, with `below`, a random port
 * under that bound (the Temporal server keeps membership ports in a smallint column, < 32768).
 */
export async function getFreePort(host = '127.0.0.1', below?: number): Promise<number> {
  if (below === undefined) return listenOnce(host, 0);
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * (below - 20_000));
    const got = await listenOnce(host, port).catch(() => null);
    if (got !== null) return got;
  }
  throw new Error(`no free port under ${below} on ${host}`);
}

function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

/** `count` distinct free ports on `host`. */
export async function getFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort(host));
  return [...ports];
}

/** Whether something accepts TCP connections on host:port (within `timeoutMs`). */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}
