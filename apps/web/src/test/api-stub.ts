/** A fetch stub answering the API's routes, shared by the page tests (imported by tests only). */
import { vi } from 'vitest';

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | null;
  authorization: string | null;
  body: string;
}
type Answer = unknown;
type Handler = (call: Call) => Answer | Promise<Answer>;

/**
 * Stubs fetch: `routes` maps "METHOD /path" to an answer (a Response, or a body answered 200) or a
 * function of the call. Unknown routes answer 404. Returns the calls made, in order.
 */
export function stubApi(routes: Record<string, Answer | Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url, 'http://localhost');
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      contentType: request.headers.get('Content-Type'),
      authorization: request.headers.get('Authorization'),
      body: request.method === 'GET' ? '' : await request.text(),
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (route === undefined)
      return json(404, {
        statusCode: 404,
        error: 'Not Found',
        message: `no stub for ${call.method} ${call.path}`,
      });
    const answer = typeof route === 'function' ? await (route as Handler)(call) : route;
    return answer instanceof Response ? answer : json(200, answer);
  });
  vi.stubGlobal('fetch', fetchMock);
  /** The POSTs made, optionally only those whose path ends with `suffix`. */
  const posts = (suffix?: string) =>
    calls.filter((c) => c.method === 'POST' && (!suffix || c.path.endsWith(suffix)));
  return { calls, fetchMock, posts };
}
