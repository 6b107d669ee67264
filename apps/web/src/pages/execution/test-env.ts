/**
 * Lets the API client run under jsdom in the execution tests; import it FIRST in a test file (before
 * anything that imports api/client, which keeps the Request class it finds when it is created).
 * - The client builds `new Request('/api/…')`: Node's Request needs an absolute URL; this one resolves
 *   it against the page's address, as a browser does.
 * - jsdom's AbortSignal is not the one Node's Request accepts: the signal is left out.
 */
const NodeRequest = globalThis.Request;
class PageRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    const { signal: _signal, ...rest } = init ?? {};
    super(typeof input === 'string' ? new URL(input, window.location.href).href : input, rest);
  }
}
globalThis.Request = PageRequest;

export {};
