import { bearerAuthMiddleware, bearerToken, OPEN_PATHS, tokenMatches } from './bearer-auth';

describe('bearer auth', () => {
  it('compares tokens exactly', () => {
    expect(tokenMatches('secret-token', 'secret-token')).toBe(true);
    expect(tokenMatches('secret-token2', 'secret-token')).toBe(false);
    expect(tokenMatches('', 'secret-token')).toBe(false);
    expect(tokenMatches('SECRET-TOKEN', 'secret-token')).toBe(false);
  });

  it('extracts the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('leaves only health, the API description and the dashboard pages open', () => {
    const open = (p: string) => OPEN_PATHS.some((r) => r.test(p));
    expect(open('/api/health')).toBe(true);
    expect(open('/api/health/live')).toBe(true);
    expect(open('/api/health/ready')).toBe(true);
    expect(open('/api/health/other')).toBe(false);
    expect(open('/api/docs')).toBe(true);
    expect(open('/api/docs-json')).toBe(true);
    expect(open('/api/docs/swagger-ui.css')).toBe(true);
    expect(open('/api/plans')).toBe(false);
    expect(open('/api/healthz')).toBe(false);
    expect(open('/api/docsx')).toBe(false);
    // The dashboard's pages and assets carry no data; every /api route stays closed.
    expect(open('/')).toBe(true);
    expect(open('/plans/abc/run')).toBe(true);
    expect(open('/assets/index-abc.js')).toBe(true);
    expect(open('/api')).toBe(false);
    expect(open('/api/')).toBe(false);
    expect(open('/apix')).toBe(true);
    // The MCP endpoint drives the plan routes: closed like them.
    expect(open('/mcp')).toBe(false);
    expect(open('/mcp/')).toBe(false);
    expect(open('/mcpx')).toBe(true);
  });

  it('takes ?access_token= on the event stream only, and only for GET', async () => {
    const run = (method: string, path: string, query: Record<string, string>, authorization?: string) => {
      let status = 0;
      let passed = false;
      const res = {
        status(code: number) {
          status = code;
          return res;
        },
        set: () => res,
        json: () => res,
      };
      bearerAuthMiddleware('right-token')(
        { method, path, query, headers: { authorization } } as never,
        res as never,
        () => {
          passed = true;
        },
      );
      return passed ? 'next' : status;
    };
    expect(run('GET', '/api/plans/p1/stream', { access_token: 'right-token' })).toBe('next');
    expect(run('GET', '/api/plans/p1/stream', { access_token: 'wrong-token' })).toBe(401);
    expect(run('GET', '/api/plans/p1', { access_token: 'right-token' })).toBe(401);
    expect(run('POST', '/api/plans/p1/stream', { access_token: 'right-token' })).toBe(401);
    expect(run('GET', '/api/plans/p1', {}, 'Bearer right-token')).toBe('next');
  });
});
