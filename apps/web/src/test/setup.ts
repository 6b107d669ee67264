import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

/**
 * The page under test lives at http://localhost/ (jsdom), and the API client builds same-origin requests
 * (`new Request('/api/…')`) as a browser does. Node's Request needs an absolute URL and rejects jsdom's
 * AbortSignal, so relative URLs are resolved against the page and the signal is left out (tests never abort).
 * Installed before any test file imports the client, which keeps the Request class it finds.
 */
const NodeRequest = globalThis.Request;
class PageRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    const { signal: _signal, ...rest } = init ?? {};
    super(typeof input === 'string' ? new URL(input, window.location.href).href : input, rest);
  }
}
globalThis.Request = PageRequest;
