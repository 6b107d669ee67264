import { bearerToken, OPEN_PATHS, tokenMatches } from './bearer-auth';

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

  it('leaves only health and the API description open', () => {
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
  });
});
