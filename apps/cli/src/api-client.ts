import type { HistoryEntry, PlanDetail, PlanSummary } from '@chunkwise/read-models';
import { CliError } from './errors';

/** Default API location: what `chunkwise up` listens on. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';
const DEFAULT_TIMEOUT_MS = 30_000;

/** One problem reported by validation (server side). */
export interface ApiIssue {
  code: string;
  message: string;
  path?: string;
  taskId?: string;
  chunkKey?: string;
}

/** The JSON error body of the API. */
export interface ApiErrorBody {
  statusCode: number;
  error?: string;
  message: string | string[];
  issues?: ApiIssue[];
  currentRevision?: number;
}

export interface ValidationResult {
  valid: boolean;
  issues: ApiIssue[];
}

export interface PlanRef {
  id: string;
  revision: number;
}

export interface HistoryResponse {
  planId: string;
  entries: HistoryEntry[];
  feedback: Array<{ revision: number; feedback: string; author: string | null }>;
}

export interface PlanListFilter {
  status?: string;
  repository?: string;
  includeArchived?: boolean;
}

export type { HistoryEntry, PlanDetail, PlanSummary };

/** The server answered with an error status. `issues` (validation) are listed one per line. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    message: string,
    readonly body: ApiErrorBody | undefined,
    details: string[] = [],
  ) {
    super(message, details);
    this.name = 'ApiError';
  }
}

/** No answer at all: connection refused, unknown host, timeout. */
export class ApiUnreachableError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'ApiUnreachableError';
  }
}

/** Renders one validation issue as a single line. */
export function formatIssue(issue: ApiIssue): string {
  let line = issue.message;
  const where = issue.path ?? issue.taskId ?? issue.chunkKey;
  if (where && !line.includes(where)) line += ` (at ${where})`;
  return `${line} [${issue.code}]`;
}

/**
 * Accepts `http://host:port`, `http://host:port/` or `http://host:port/api` and returns the server
 * root (for messages) and the API base (the `/api` prefix every route lives under).
 */
export function normalizeApiUrl(input: string): { root: string; base: string } {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new CliError(`invalid API URL "${input}" (expected something like ${DEFAULT_API_URL})`, [], 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`invalid API URL "${input}": only http:// and https:// are supported`, [], 2);
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/api')) path = path.slice(0, -'/api'.length);
  const root = `${url.protocol}//${url.host}${path}`;
  return { root, base: `${root}/api` };
}

export interface ApiClientOptions {
  url: string;
  token?: string | null;
  timeoutMs?: number;
}

type Body = { json: unknown } | { text: string; contentType: string };

/** A small typed client of the Chunkwise REST API (global fetch; no dependencies). */
export class ApiClient {
  readonly root: string;
  readonly base: string;
  private readonly token: string | null;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    const { root, base } = normalizeApiUrl(options.url);
    this.root = root;
    this.base = base;
    this.token = options.token ?? null;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  health(): Promise<unknown> {
    return this.request('GET', '/health');
  }

  listPlans(filter: PlanListFilter = {}): Promise<{ plans: PlanSummary[] }> {
    return this.request('GET', '/plans', {
      query: {
        status: filter.status,
        repository: filter.repository,
        includeArchived: filter.includeArchived ? 'true' : undefined,
      },
    });
  }

  getPlan(id: string, revision?: number): Promise<PlanDetail> {
    return this.request('GET', `/plans/${encodeURIComponent(id)}`, {
      query: { revision: revision === undefined ? undefined : String(revision) },
    });
  }

  getHistory(id: string): Promise<HistoryResponse> {
    return this.request('GET', `/plans/${encodeURIComponent(id)}/history`);
  }

  /** Creates a plan from a document: parsed JSON, or the YAML text as written. */
  createPlan(document: PlanDocumentBody): Promise<PlanRef> {
    return this.request('POST', '/plans', {
      body: documentBody(document),
      headers: { 'x-chunkwise-source': 'cli' },
    });
  }

  validatePlan(id: string): Promise<ValidationResult> {
    return this.request('POST', `/plans/${encodeURIComponent(id)}/validate`);
  }

  /** Validates a document without storing anything. */
  validateDocument(document: PlanDocumentBody): Promise<ValidationResult> {
    return this.request('POST', '/plans/validate', { body: documentBody(document) });
  }

  finalizePlan(id: string): Promise<PlanRef> {
    return this.request('POST', `/plans/${encodeURIComponent(id)}/finalize`);
  }

  async request<T>(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | undefined>;
      body?: Body;
      headers?: Record<string, string>;
    } = {},
  ): Promise<T> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, v);

    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body && 'json' in options.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body.json);
    } else if (options.body) {
      headers['content-type'] = options.body.contentType;
      body = options.body.text;
    }

    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw this.unreachable(err);
    }

    const text = await response.text().catch(() => '');
    let parsed: unknown;
    let isJson = false;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
        isJson = true;
      } catch {
        // not JSON; handled below
      }
    }
    if (!response.ok) throw this.httpError(method, url, response, isJson ? parsed : undefined, text);
    if (text.length === 0) return undefined as T;
    if (!isJson) {
      throw new CliError(
        `unexpected answer from ${method} ${url.pathname}: status ${response.status} but the body is not JSON ` +
          `(is ${this.root} a Chunkwise API?)`,
      );
    }
    return parsed as T;
  }

  private unreachable(err: unknown): CliError {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return new ApiUnreachableError(
        `the API at ${this.root} did not answer within ${Math.round(this.timeoutMs / 1000)} s`,
      );
    }
    const cause = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
    return new ApiUnreachableError(
      `cannot reach the API at ${this.root} — is \`chunkwise up\` running? (${cause})`,
    );
  }

  private httpError(method: string, url: URL, response: Response, json: unknown, text: string): ApiError {
    const body = isErrorBody(json) ? json : undefined;
    let message: string;
    if (body) {
      message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    } else {
      const snippet = text.trim().slice(0, 200);
      message = `${method} ${url.pathname} failed with HTTP ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`;
    }
    const details = (body?.issues ?? []).map(formatIssue);
    if (Array.isArray(body?.message) && details.length === 0) details.push(...body.message);
    if (response.status === 401) {
      message += this.token
        ? ' — the API rejected the token in CHUNKWISE_API_TOKEN'
        : ' — this API requires a token: set CHUNKWISE_API_TOKEN';
    }
    if (body?.currentRevision !== undefined) details.push(`current revision: ${body.currentRevision}`);
    return new ApiError(response.status, message, body, details);
  }
}

/** A plan document to send: an object (sent as JSON) or YAML text (sent as application/yaml). */
export type PlanDocumentBody = { format: 'json'; document: unknown } | { format: 'yaml'; text: string };

function documentBody(doc: PlanDocumentBody): Body {
  return doc.format === 'json' ? { json: doc.document } : { text: doc.text, contentType: 'application/yaml' };
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    (typeof (value as ApiErrorBody).message === 'string' || Array.isArray((value as ApiErrorBody).message))
  );
}
