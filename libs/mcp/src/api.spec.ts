import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChunkwiseApiError, HttpChunkwiseApi } from './api';

describe('HttpChunkwiseApi', () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        if (req.url?.startsWith('/api/stale')) {
          res.statusCode = 409;
          res.end(
            JSON.stringify({
              statusCode: 409,
              message: 'plan p_1 is at revision 5, not 3',
              code: 'stale_revision',
              currentRevision: 5,
            }),
          );
        } else if (req.url?.startsWith('/api/html')) {
          res.setHeader('content-type', 'text/html');
          res.end('<html></html>');
        } else res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('calls /api routes with the bearer token, JSON or YAML bodies and a query', async () => {
    const api = new HttpChunkwiseApi({ url: `${url}/api/`, token: 'tok' });
    expect(api.base).toBe(`${url}/api`);
    expect(await api.request('POST', '/plans', { json: { a: 1 }, query: { x: 'y', n: undefined } })).toEqual({
      ok: true,
    });
    await api.request('POST', '/plans', { yaml: 'title: x\n' });
    expect(seen.at(-2)).toMatchObject({
      method: 'POST',
      url: '/api/plans?x=y',
      body: '{"a":1}',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
    });
    expect(seen.at(-1)).toMatchObject({
      body: 'title: x\n',
      headers: { 'content-type': 'application/yaml' },
    });
  });

  it("an error status is a ChunkwiseApiError with the server's message, code and current revision", async () => {
    const err = await new HttpChunkwiseApi({ url }).request('PATCH', '/stale').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChunkwiseApiError);
    expect(err).toMatchObject({
      status: 409,
      message: 'plan p_1 is at revision 5, not 3',
      code: 'stale_revision',
      currentRevision: 5,
    });
  });

  it('says so when the answer is not JSON or nothing answers', async () => {
    await expect(new HttpChunkwiseApi({ url }).request('GET', '/html')).rejects.toThrow(/not JSON/);
    await expect(
      new HttpChunkwiseApi({ url: 'http://127.0.0.1:1' }).request('GET', '/plans'),
    ).rejects.toThrow(/cannot reach the Chunkwise API at http:\/\/127\.0\.0\.1:1\/api/);
  });
});
