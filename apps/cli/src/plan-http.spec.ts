import { ApiError, ApiUnreachableError } from './api-client';
import { CliError } from './errors';
import { longJsonRequest } from './plan-http';
import { fakeApi } from '../../../test/support/cli-fakes';

describe('longJsonRequest (LLM turns over node:http)', () => {
  it('sends JSON with the token and returns the parsed answer', async () => {
    const api = await fakeApi(() => ({ status: 201, body: { id: 'p1', revision: 1 } }));
    try {
      const answer = await longJsonRequest<{ id: string }>({
        method: 'POST',
        url: new URL(`${api.url}/api/plans/generate`),
        token: 'tok',
        body: { title: 'T', description: 'ü' },
        timeoutMs: 5000,
      });
      expect(answer).toEqual({ id: 'p1', revision: 1 });
      expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/api/plans/generate' });
      expect(api.requests[0].headers).toMatchObject({
        authorization: 'Bearer tok',
        'content-type': 'application/json',
      });
      expect(JSON.parse(api.requests[0].body)).toEqual({ title: 'T', description: 'ü' });
    } finally {
      await api.close();
    }
  });

  it('reports errors like ApiClient: message, issues, code in the body, the 401 hint', async () => {
    let answer: { status: number; body?: unknown; raw?: string } = {
      status: 502,
      body: {
        statusCode: 502,
        message: 'invalid; nothing was written',
        code: 'llm_invalid_output',
        issues: [{ code: 'schema', message: 'task T1: depends on unknown task T404' }],
      },
    };
    const api = await fakeApi(() => answer);
    const call = () =>
      longJsonRequest({
        method: 'POST',
        url: new URL(`${api.url}/api/x`),
        token: null,
        body: {},
        timeoutMs: 5000,
      });
    try {
      const err = (await call().catch((e: unknown) => e)) as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.status).toBe(502);
      expect(err.message).toBe('invalid; nothing was written');
      expect(err.details).toEqual(['task T1: depends on unknown task T404 [schema]']);
      expect((err.body as { code?: string }).code).toBe('llm_invalid_output');

      answer = { status: 401, body: { statusCode: 401, message: 'unauthorized' } };
      expect(((await call().catch((e: unknown) => e)) as ApiError).message).toBe(
        'unauthorized — this API requires a token: set CHUNKWISE_API_TOKEN',
      );

      answer = { status: 500, raw: 'oops' };
      expect(((await call().catch((e: unknown) => e)) as ApiError).message).toBe(
        'POST /api/x failed with HTTP 500 Internal Server Error: oops',
      );

      answer = { status: 200, raw: '<html>' };
      const notJson = (await call().catch((e: unknown) => e)) as CliError;
      expect(notJson.message).toMatch(/status 200 but the body is not JSON/);
    } finally {
      await api.close();
    }
  });

  it('says when the API cannot be reached', async () => {
    const api = await fakeApi(() => ({ status: 200 }));
    await api.close();
    const err = await longJsonRequest({
      method: 'POST',
      url: new URL(`${api.url}/api/x`),
      token: null,
      timeoutMs: 5000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect((err as Error).message).toBe(
      `cannot reach the API at ${api.url} — is \`chunkwise up\` running? (ECONNREFUSED)`,
    );
  });
});
