import type {
  budgetStatus,
  ExecutionStats,
  LedgerRow,
  LedgerTotals,
  PlanEstimate as DomainPlanEstimate,
  SessionProgress,
} from '@chunkwise/domain';
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

export type { HistoryEntry, PlanDetail, PlanSummary, SessionProgress };

/** Body of `POST /api/plans/:id/execute`. */
export interface ExecuteBody {
  from?: 'beginning' | 'current' | 'chunk' | 'task';
  target?: string;
  chunks?: string;
  options?: { maxAttempts?: number; maxParallel?: number; turnScope?: 'task' | 'chunk' };
}

export interface SessionStarted {
  planId: string;
  sessionId: string;
  workflowId: string;
  revision: number;
}

export interface ResumeAnswer {
  action: 'resumed' | 'restarted';
  sessionId: string;
  workflowId: string;
}

/** Answer of a task update (approve, retry, skip, complete, edit). */
export interface TaskAnswer {
  accepted: boolean;
  reason: string | null;
}

export type TaskVerb = 'approve' | 'retry' | 'skip' | 'complete' | 'edit';
export type ControlVerb = 'pause' | 'stop' | 'cancel';

/** `GET /progress` when no session is active: whatever the server adds besides `live: false`. */
export interface NoLiveSession {
  live: false;
  /** The plan's status (read models). */
  status?: string;
  planStatus?: string;
  /** Why the live progress could not be read, when a session is active. */
  note?: string;
  [key: string]: unknown;
}

export type ProgressAnswer = (SessionProgress & { live?: true }) | NoLiveSession;

export const isLive = (p: ProgressAnswer): p is SessionProgress =>
  (p as { live?: boolean }).live !== false && typeof (p as SessionProgress).status === 'string';

/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

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
export type UsageTotals = LedgerTotals;
export interface UsageReport {
  by: string;
  filter: Record<string, string>;
  priceTableDate: string;
  totals: LedgerTotals;
  rows: LedgerRow[];
}
export type BudgetStatus = ReturnType<typeof budgetStatus>;
export type { ExecutionStats };
export interface StatsReport {
  overall: ExecutionStats;
  repositories: Array<{ repository: string; stats: ExecutionStats }>;
}
export type PlanEstimate = DomainPlanEstimate & { planId: string };

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

  /** Starts a session of the plan's finalized revision. */
  execute(id: string, body: ExecuteBody): Promise<SessionStarted> {
    return this.request('POST', `/plans/${encodeURIComponent(id)}/execute`, { body: { json: body } });
  }

  /** The usage ledger (GET /usage), filtered and grouped (docs/cost.md). */
  usage(query: Record<string, string | undefined>): Promise<UsageReport> {
    return this.request('GET', '/usage', { query });
  }

  stats(repository?: string): Promise<StatsReport> {
    return this.request('GET', '/stats', { query: { repository } });
  }

  estimate(id: string): Promise<PlanEstimate> {
    return this.request('GET', `/plans/${encodeURIComponent(id)}/estimate`);
  }

  budget(id: string): Promise<BudgetStatus> {
    return this.request('GET', `/plans/${encodeURIComponent(id)}/budget`);
  }

  setBudget(
    id: string,
    change: Record<string, unknown>,
  ): Promise<{ id: string; revision: number; budget: BudgetStatus }> {
    return this.request('PUT', `/plans/${encodeURIComponent(id)}/budget`, { body: { json: change } });
  }

  /** Continues a paused session, or starts a new one from a stopped session's checkpoint. */
  resume(id: string): Promise<ResumeAnswer> {
    return this.request('POST', `/plans/${encodeURIComponent(id)}/resume`, { body: { json: {} } });
  }

  /** pause (at the next safe boundary), stop (graceful, resumable) or cancel (now). */
  control(id: string, verb: ControlVerb, reason?: string): Promise<unknown> {
    return this.request('POST', `/plans/${encodeURIComponent(id)}/${verb}`, {
      body: { json: reason ? { reason } : {} },
    });
  }

  /**
   * A task update. The session answers accepted or rejected with a reason; a refusal by the server
   * (HTTP 409) is returned as a rejection too, with the server's message as the reason.
   */
  async taskAction(
    id: string,
    taskId: string,
    verb: TaskVerb,
    body: Record<string, unknown>,
  ): Promise<TaskAnswer> {
    try {
      const answer = await this.request<Partial<TaskAnswer> | undefined>(
        'POST',
        `/plans/${encodeURIComponent(id)}/tasks/${encodeURIComponent(taskId)}/${verb}`,
        { body: { json: body } },
      );
      return { accepted: answer?.accepted !== false, reason: answer?.reason ?? null };
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return { accepted: false, reason: err.message };
      throw err;
    }
  }

  progress(id: string): Promise<ProgressAnswer> {
    return this.request('GET', `/plans/${encodeURIComponent(id)}/progress`);
  }

  /** The output of one turn (agent session), as text. */
  async turnOutput(id: string, turnId: string): Promise<string> {
    const answer = await this.request<unknown>(
      'GET',
      `/plans/${encodeURIComponent(id)}/turns/${encodeURIComponent(turnId)}/output`,
    );
    return typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2);
  }

  /**
   * Follows `GET /plans/:id/stream` (Server-Sent Events), calling `onEvent` for each event, until
   * `signal` aborts or the server ends the stream. Rejects when the stream cannot be opened.
   */
  async stream(id: string, onEvent: (e: SseEvent) => void, signal: AbortSignal): Promise<void> {
    const url = `${this.base}/plans/${encodeURIComponent(id)}/stream`;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal });
    } catch (err) {
      if (signal.aborted) return;
      throw this.unreachable(err);
    }
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      throw new CliError(
        `GET ${new URL(url).pathname} failed with HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      );
    }
    const parser = new SseParser(onEvent);
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      reader.releaseLock();
    }
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
    return readJsonAnswer<T>(
      { method, url, token: this.token, root: this.root },
      { status: response.status, statusText: response.statusText, text },
    );
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
}

/**
 * The value of an API answer: its JSON body (undefined when the body is empty). A status outside
 * 2xx is an ApiError in the server's words; a body that is not JSON means `root` may not be a
 * Chunkwise API. Shared by ApiClient and the long planning requests (plan-http.ts).
 */
export function readJsonAnswer<T>(
  request: { method: string; url: URL; token: string | null; root: string },
  answer: { status: number; statusText: string; text: string },
): T {
  const { method, url } = request;
  let parsed: unknown;
  let isJson = false;
  if (answer.text.length > 0) {
    try {
      parsed = JSON.parse(answer.text);
      isJson = true;
    } catch {
      // not JSON; handled below
    }
  }
  if (answer.status < 200 || answer.status >= 300)
    throw httpError(request, answer, isJson ? parsed : undefined);
  if (answer.text.length === 0) return undefined as T;
  if (!isJson) {
    throw new CliError(
      `unexpected answer from ${method} ${url.pathname}: status ${answer.status} but the body is not JSON ` +
        `(is ${request.root} a Chunkwise API?)`,
    );
  }
  return parsed as T;
}

/** The error of a failed answer: the server's message, its issues one per line, a hint on 401. */
function httpError(
  request: { method: string; url: URL; token: string | null },
  answer: { status: number; statusText: string; text: string },
  json: unknown,
): ApiError {
  const body = isErrorBody(json) ? json : undefined;
  let message: string;
  if (body) {
    message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  } else {
    const snippet = answer.text.trim().slice(0, 200);
    message = `${request.method} ${request.url.pathname} failed with HTTP ${answer.status} ${answer.statusText}${snippet ? `: ${snippet}` : ''}`;
  }
  const details = (body?.issues ?? []).map(formatIssue);
  if (Array.isArray(body?.message) && details.length === 0) details.push(...body.message);
  if (answer.status === 401) {
    message += request.token
      ? ' — the API rejected the token in CHUNKWISE_API_TOKEN'
      : ' — this API requires a token: set CHUNKWISE_API_TOKEN';
  }
  if (body?.currentRevision !== undefined) details.push(`current revision: ${body.currentRevision}`);
  return new ApiError(answer.status, message, body, details);
}

/** Incremental parser of a text/event-stream body (comments and retry lines are ignored). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0)
        this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
  }
}

/** A plan document to send: an object (sent as JSON) or YAML text (sent as application/yaml). */
export type PlanDocumentBody = { format: 'json'; document: unknown } | { format: 'yaml'; text: string };

function documentBody(doc: PlanDocumentBody): Body {
  return doc.format === 'json' ? { json: doc.document } : { text: doc.text, contentType: 'application/yaml' };
}

export function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    (typeof (value as ApiErrorBody).message === 'string' || Array.isArray((value as ApiErrorBody).message))
  );
}
