/**
 * The chunk browser's selection input: one pick prefills `C03`, a second pick makes the range of the
 * two, always written bottom-top in plan order (`C02-C04`) whatever order they were picked in. The
 * text is the `chunks` range the API's execute accepts (`chunkRange` in libs/domain/src/session.ts).
 */
import { chunkRange, type Chunk } from '@chunkwise/domain';

/** `C02` for `C02_storage`: the short form the range syntax matches by prefix. */
export const shortKey = (key: string) => key.split('_')[0];

export interface ChunkPick {
  /** What the selection input shows. */
  selection: string;
  /** The first pick of a range still open (the next pick closes it), else null. */
  anchor: string | null;
}

/**
 * The selection after picking `key` (a chunk key, in `order`). No open anchor: the pick alone, and
 * it becomes the anchor. An open anchor: the range from the earlier to the later of the two.
 */
export function pickChunk(order: readonly string[], current: ChunkPick, key: string): ChunkPick {
  if (current.anchor === null || current.anchor === key) return { selection: shortKey(key), anchor: key };
  const a = order.indexOf(current.anchor);
  const b = order.indexOf(key);
  if (a < 0 || b < 0) return { selection: shortKey(key), anchor: key };
  const [low, high] = a <= b ? [order[a], order[b]] : [order[b], order[a]];
  return { selection: `${shortKey(low)}-${shortKey(high)}`, anchor: null };
}

/** The chunk keys a selection names (empty: all), by the API's own range rule, or why it names none. */
export function selectedChunks(chunks: readonly Chunk[], selection: string): string[] | { error: string } {
  const text = selection.trim();
  if (text === '') return chunks.map((c) => c.key);
  try {
    return chunkRange(chunks, text);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
