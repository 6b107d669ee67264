import { createHash } from 'node:crypto';

/**
 * A UUID-shaped (version 5 layout) hash of a key such as `<session>/<sequence>`: the same key
 * always gives the same id, so a retried append of the same event is a no-op in every store.
 */
export function eventIdFromKey(key: string): string {
  const h = createHash('sha256').update(`chunkwise-event:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
