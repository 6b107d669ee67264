import * as http from 'node:http';
import * as https from 'node:https';
import { ApiError, ApiUnreachableError, formatIssue, isErrorBody } from './api-client';
import { CliError } from './errors';

/**
 * One JSON request that may take many minutes: an LLM planning turn (multi-draft refinement of a
 * large plan can run past five minutes). Node's global fetch gives up waiting for response headers
 * after 300 s whatever the abort signal says, so these requests go through node:http instead.
 * Errors are reported like ApiClient's: ApiError with the server's message and issues.
 */
export async function longJsonRequest<T>(options: {
  method: string;
  url: URL;
  token: string | null;
  body?: unknown;
  timeoutMs: number;
}): Promise<T> {
  const { method, url, token, body, timeoutMs } = options;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (token) headers.authorization = `Bearer ${token}`;
  const root = `${url.protocol}//${url.host}`;

  const answer = await new Promise<{ status: number; statusText: string; text: string }>(
    (resolve, reject) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      const req = send(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          new ApiUnreachableError(
            `the API at ${root} did not answer within ${Math.round(timeoutMs / 1000)} s`,
          ),
        ),
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          err instanceof CliError
            ? err
            : new ApiUnreachableError(
                `cannot reach the API at ${root} — is \`chunkwise up\` running? (${err.code ?? err.message})`,
              ),
        ),
      );
      req.end(payload);
    },
  );

  let parsed: unknown;
  let isJson = false;
  if (answer.text.length > 0) {
    try {
      parsed = JSON.parse(answer.text);
      isJson = true;
    } catch {
      // not JSON; reported below
    }
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw httpError(
      method,
      url,
      answer.status,
      answer.statusText,
      isJson ? parsed : undefined,
      answer.text,
      token,
    );
  }
  if (answer.text.length === 0) return undefined as T;
  if (!isJson) {
    throw new CliError(
      `unexpected answer from ${method} ${url.pathname}: status ${answer.status} but the body is not JSON ` +
        `(is ${root} a Chunkwise API?)`,
    );
  }
  return parsed as T;
}

/** The same wording as ApiClient's errors: the server's message, its issues one per line. */
function httpError(
  method: string,
  url: URL,
  status: number,
  statusText: string,
  json: unknown,
  text: string,
  token: string | null,
): ApiError {
  const body = isErrorBody(json) ? json : undefined;
  let message: string;
  if (body) message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  else {
    const snippet = text.trim().slice(0, 200);
    message = `${method} ${url.pathname} failed with HTTP ${status} ${statusText}${snippet ? `: ${snippet}` : ''}`;
  }
  const details = (body?.issues ?? []).map(formatIssue);
  if (Array.isArray(body?.message) && details.length === 0) details.push(...body.message);
  if (status === 401) {
    message += token
      ? ' — the API rejected the token in CHUNKWISE_API_TOKEN'
      : ' — this API requires a token: set CHUNKWISE_API_TOKEN';
  }
  if (body?.currentRevision !== undefined) details.push(`current revision: ${body.currentRevision}`);
  return new ApiError(status, message, body, details);
}
