/**
 * The one port the MCP tools and resources are written against: a request to the Chunkwise REST
 * API (`/api/...`). `chunkwise mcp` (stdio) points it at CHUNKWISE_API_URL; the API's own `/mcp`
 * endpoint points it at itself on loopback. Either way every tool goes through the same routes,
 * validation and error mapping as any other client, so the MCP server has no logic of its own.
 */
export interface ChunkwiseApi {
  request<T = unknown>(method: string, path: string, options?: ApiRequestOptions): Promise<T>;
}

export interface ApiRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/yaml (a plan document as written). */
  yaml?: string;
  /** Aborts the request (the MCP client cancelled the call). */
  signal?: AbortSignal;
  /** Per-request timeout; planning calls (one or more LLM turns) need far longer than reads. */
  timeoutMs?: number;
}

/** One validation problem as the API reports it. */
export interface ApiIssue {
  code?: string;
  message: string;
  path?: string;
  taskId?: string;
  chunkKey?: string;
}

/** The server answered with an error status (its JSON error body, when there was one). */
export class ChunkwiseApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly issues: ApiIssue[] = [],
    readonly currentRevision?: number,
  ) {
    super(message);
    this.name = 'ChunkwiseApiError';
  }
}

export interface HttpChunkwiseApiOptions {
  /** Server root (`http://host:port`) or the API base (`.../api`). */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Default per-request timeout (ms). Default 60 s. */
  timeoutMs?: number;
}

/** The ChunkwiseApi over fetch to a running API. */
export class HttpChunkwiseApi implements ChunkwiseApi {
  readonly base: string;
  private readonly token: string | null;
  private readonly timeoutMs: number;

  constructor(options: HttpChunkwiseApiOptions) {
    const url = new URL(options.url);
    let path = url.pathname.replace(/\/+$/, '');
    if (path.endsWith('/api')) path = path.slice(0, -'/api'.length);
    this.base = `${url.protocol}//${url.host}${path}/api`;
    this.token = options.token ?? null;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async request<T>(method: string, path: string, options: ApiRequestOptions = {}): Promise<T> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      body = options.yaml;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal });
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError')
        throw new Error(`the Chunkwise API at ${this.base} did not answer in time`, { cause: err });
      if (e.name === 'AbortError') throw new Error('cancelled', { cause: err });
      throw new Error(
        `cannot reach the Chunkwise API at ${this.base} — is \`chunkwise up\` running? (${e.cause?.code ?? e.cause?.message ?? e.message})`,
        { cause: err },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw errorOf(response.status, parsed, text, `${method} ${url.pathname}`);
    if (text && parsed === undefined)
      throw new Error(`${method} ${url.pathname}: the answer is not JSON (is ${this.base} a Chunkwise API?)`);
    return parsed as T;
  }
}

function errorOf(status: number, body: unknown, text: string, what: string): ChunkwiseApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    message?: unknown;
    code?: string;
    issues?: ApiIssue[];
    currentRevision?: number;
  };
  let message =
    typeof b.message === 'string'
      ? b.message
      : Array.isArray(b.message)
        ? b.message.join('; ')
        : `${what} failed${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (status === 401) message += ' (set CHUNKWISE_API_TOKEN to the API token)';
  return new ChunkwiseApiError(
    status,
    message,
    b.code,
    Array.isArray(b.issues) ? b.issues : [],
    typeof b.currentRevision === 'number' ? b.currentRevision : undefined,
  );
}
