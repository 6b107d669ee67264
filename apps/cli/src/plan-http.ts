import * as http from 'node:http';
import * as https from 'node:https';
import { ApiUnreachableError, readJsonAnswer } from './api-client';
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
  /** The API root named in messages (default: the URL's origin). */
  root?: string;
}): Promise<T> {
  const { method, url, token, body, timeoutMs } = options;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (token) headers.authorization = `Bearer ${token}`;
  const root = options.root ?? `${url.protocol}//${url.host}`;

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

  return readJsonAnswer<T>({ method, url, token, root }, answer);
}
