import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from './error-response';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares a presented token with the configured one in constant time. Both are hashed first, so
 * neither their content nor their length leaks through timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Extracts the token of an `Authorization: Bearer <token>` header (scheme case-insensitive). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * Paths that stay open when a token is configured: the health probe (load balancers and
 * `chunkwise up` poll it; it reveals no plan data) and the OpenAPI description + Swagger UI (a
 * static description of the API; a browser cannot attach a bearer header to the page itself, and
 * the UI's "Authorize" button sets the token for the calls it makes). Everything else — every
 * plan route, and unknown routes too — needs the token.
 */
export const OPEN_PATHS = [
  /^\/api\/health(?:\/live|\/ready)?\/?$/,
  /^\/api\/docs(?:-json|-yaml)?(?:\/.*)?$/,
  // The dashboard's static pages and assets (everything outside /api and /mcp): they hold no plan
  // data, and the page must load before it can ask for the token. /mcp (the MCP endpoint) is a
  // client of the plan routes, so it needs the token like them.
  /^\/(?!(?:api|mcp)(?:\/|$))/,
];

/**
 * The event stream may carry its token as `?access_token=` (RFC 6750 §2.3), because a browser's
 * EventSource cannot send an Authorization header. Only this read-only route accepts it.
 */
export const QUERY_TOKEN_PATHS = [/^\/api\/plans\/[^/]+\/stream\/?$/];

function queryToken(req: Request): string | undefined {
  if (req.method !== 'GET' || !QUERY_TOKEN_PATHS.some((p) => p.test(req.path))) return undefined;
  const value = req.query.access_token;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Express middleware enforcing `Authorization: Bearer <token>`. It runs before body parsing, so an
 * unauthenticated client cannot make the server parse (or buffer) a body, and it also covers the
 * routes Nest guards never see (unknown routes). Deliberately a middleware rather than a Nest guard
 * for those two reasons.
 */
export function bearerAuthMiddleware(token: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS' || OPEN_PATHS.some((p) => p.test(req.path))) return next();
    const presented = bearerToken(req.headers.authorization) ?? queryToken(req);
    if (presented !== undefined && tokenMatches(presented, token)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="chunkwise"')
      .json(
        errorBody(
          401,
          presented === undefined
            ? 'missing bearer token (Authorization: Bearer <token>)'
            : 'invalid bearer token',
        ),
      );
  };
}
