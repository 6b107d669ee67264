/** The API token (when the server has one), kept in this browser only. */
const KEY = 'chunkwise.apiToken';
type Listener = () => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage disabled: the token lives as long as the page.
  }
  memory = token;
  for (const l of listeners) l();
}

let memory: string | null = null;
/** The token to send: stored, or held in memory when storage is unavailable. */
export const currentToken = (): string | null => getToken() ?? memory;

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
