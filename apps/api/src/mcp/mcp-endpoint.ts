import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createChunkwiseMcpServer, HttpChunkwiseApi } from '@chunkwise/mcp';
import { bearerToken } from '../common/bearer-auth';
import { refuseAnnouncedOversize } from '../common/body-parsing';

export const MCP_PATH = '/mcp';

/**
 * The API's own REST routes on loopback, as the client that sent the MCP request: the same socket
 * address it reached us on, and its bearer token passed on. So an MCP tool call is exactly a REST
 * call (validation, auth, error mapping, read-your-writes) and the MCP endpoint holds no logic.
 */
export function loopbackApi(req: Request): HttpChunkwiseApi {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.startsWith('::ffff:')
    ? address.slice('::ffff:'.length)
    : address.includes(':')
      ? `[${address}]`
      : address;
  return new HttpChunkwiseApi({
    url: `http://${host}:${req.socket.localPort}`,
    token: bearerToken(req.headers.authorization) ?? null,
  });
}

const jsonRpcError = (res: Response, status: number, message: string) =>
  res.status(status).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

/**
 * Streamable HTTP MCP at `/mcp`, stateless: every POST gets its own server and transport (no
 * session to keep or lose across API restarts); answers stream as SSE so that progress
 * notifications of long calls reach the client. GET (a standalone notification stream) and DELETE
 * (ending a session) have nothing to do without sessions: 405. Installed after the bearer
 * middleware, which guards /mcp like /api, and before the body parsers: the transport reads the
 * body itself (a Content-Length over the API's body limit is refused first, 413).
 */
export function installMcpEndpoint(app: NestExpressApplication, bodyLimit: number): void {
  // The same early 413 as the REST routes (the transport's own reader stops at 4 MB).
  app.use(MCP_PATH, refuseAnnouncedOversize(bodyLimit));
  app.use(MCP_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== '/') return next();
    if (req.method !== 'POST') {
      res.set('Allow', 'POST');
      return jsonRpcError(res, 405, 'Method not allowed: this MCP endpoint is stateless; send POST');
    }
    const server = createChunkwiseMcpServer(loopbackApi(req));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) jsonRpcError(res, 500, err instanceof Error ? err.message : String(err));
      });
  });
}
