import { ApiClient, ApiError, ApiUnreachableError, formatIssue, normalizeApiUrl } from './api-client';
import { fakeApi } from '../../../test/support/cli-fakes';

describe('normalizeApiUrl', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/api', 'http://127.0.0.1:8080'],
    ['https://cw.example.com/proxy/api/', 'https://cw.example.com/proxy'],
  ])('%s → root %s', (input, root) => {
    expect(normalizeApiUrl(input)).toEqual({ root, base: `${root}/api` });
  });

  it('rejects what is not an http URL as a usage error', () => {
    expect(() => normalizeApiUrl('localhost:8080')).toThrow(/invalid API URL/);
    expect(() => normalizeApiUrl('nonsense')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('ApiClient', () => {
  it('sends the bearer token, the query and JSON/YAML bodies', async () => {
    const api = await fakeApi(() => ({ status: 200, body: { plans: [], id: 'p1', revision: 1 } }));
    try {
      const client = new ApiClient({ url: api.url, token: 'secret-token' });
      await client.listPlans({ status: 'draft', repository: 'r', includeArchived: true });
      await client.createPlan({ format: 'yaml', text: 'title: x\n' });
      await client.validateDocument({ format: 'json', document: { title: 'x' } });
      const [list, create, validate] = api.requests;
      expect(list.method).toBe('GET');
      expect(list.url).toBe('/api/plans?status=draft&repository=r&includeArchived=true');
      expect(list.headers.authorization).toBe('Bearer secret-token');
      expect(create.headers['content-type']).toBe('application/yaml');
      expect(create.headers['x-chunkwise-source']).toBe('cli');
      expect(create.body).toBe('title: x\n');
      expect(validate.url).toBe('/api/plans/validate');
      expect(JSON.parse(validate.body)).toEqual({ title: 'x' });
    } finally {
      await api.close();
    }
  });

  it('turns an error body into an ApiError listing every issue', async () => {
    const api = await fakeApi(() => ({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid plan document: task A: unknown chunk C9',
        issues: [
          { code: 'unknown_chunk', message: 'task A: unknown chunk C9', taskId: 'A', path: 'tasks[0].chunk' },
        ],
      },
    }));
    try {
      const err = await new ApiClient({ url: api.url })
        .createPlan({ format: 'json', document: {} })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).exitCode).toBe(1);
      expect((err as ApiError).details).toEqual([
        'task A: unknown chunk C9 (at tasks[0].chunk) [unknown_chunk]',
      ]);
    } finally {
      await api.close();
    }
  });

  it('explains a 401 with or without a token', async () => {
    const api = await fakeApi(() => ({
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', message: 'missing bearer token' },
    }));
    try {
      await expect(new ApiClient({ url: api.url }).listPlans()).rejects.toThrow(/set CHUNKWISE_API_TOKEN/);
      await expect(new ApiClient({ url: api.url, token: 'wrong-token' }).listPlans()).rejects.toThrow(
        /rejected the token in CHUNKWISE_API_TOKEN/,
      );
    } finally {
      await api.close();
    }
  });

  it('reports a server that is not a Chunkwise API', async () => {
    const api = await fakeApi(() => ({ status: 200, raw: '<html>hi</html>', contentType: 'text/html' }));
    try {
      await expect(new ApiClient({ url: api.url }).listPlans()).rejects.toThrow(/body is not JSON/);
    } finally {
      await api.close();
    }
    const down = await fakeApi(() => ({ status: 502, raw: 'Bad Gateway', contentType: 'text/plain' }));
    try {
      await expect(new ApiClient({ url: down.url }).listPlans()).rejects.toThrow(
        /HTTP 502 Bad Gateway: Bad Gateway/,
      );
    } finally {
      await down.close();
    }
  });

  it('says how to start the API when nothing answers', async () => {
    const api = await fakeApi(() => ({ status: 200 }));
    await api.close(); // the port is free now: connection refused
    const err = await new ApiClient({ url: api.url }).health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect((err as Error).message).toBe(
      `cannot reach the API at ${api.url} — is \`chunkwise up\` running? (ECONNREFUSED)`,
    );
  });

  it('formats issues on one line, adding where when the message lacks it', () => {
    expect(formatIssue({ code: 'empty_plan', message: 'the plan has no tasks' })).toBe(
      'the plan has no tasks [empty_plan]',
    );
    expect(formatIssue({ code: 'schema', message: 'title: required', path: 'title' })).toBe(
      'title: required [schema]',
    );
  });
});
