/**
 * The Chunkwise trailer: an HTML comment at the end of a task line or heading that a Chunkwise
 * export writes for what the format itself cannot say (an id in another style, dependencies, a
 * chunk's key or mode). Markdown renderers hide it and the other tools ignore it, so the file
 * stays theirs; a Chunkwise import reads it back, so export → import loses nothing.
 *
 *   - [ ] 1.2 Add the login route <!-- chunkwise: id=T7; deps=T3,T5; labels=api -->
 *   ## 2. Feature <!-- chunkwise: key=C02_feature; mode=parallel; pauseAfter -->
 *
 * Values are percent-encoded; lists are comma-separated; a bare name is a true flag.
 */
export type Trailer = Map<string, string[] | true>;

const TRAILER = /^<!--\s*chunkwise:([^>]*)-->\s*$/;

export function splitTrailer(text: string): { text: string; trailer: Trailer | null } {
  // Only the last comment can be the trailer; looking there alone keeps hostile lines linear.
  const at = text.lastIndexOf('<!--');
  const m = at < 0 ? null : TRAILER.exec(text.slice(at));
  if (!m) return { text, trailer: null };
  const trailer: Trailer = new Map();
  for (const part of m[1].split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) trailer.set(item, true);
    else
      trailer.set(
        item.slice(0, eq).trim(),
        item
          .slice(eq + 1)
          .split(',')
          .filter(Boolean)
          .map(decode),
      );
  }
  return { text: text.slice(0, at).trimEnd(), trailer };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.trim());
  } catch {
    return value.trim();
  }
}

/** The first value of a trailer entry, if it has one. */
export function trailerValue(trailer: Trailer | null, name: string): string | undefined {
  const v = trailer?.get(name);
  return Array.isArray(v) ? v[0] : undefined;
}

export function trailerList(trailer: Trailer | null, name: string): string[] {
  const v = trailer?.get(name);
  return Array.isArray(v) ? v : [];
}

export const trailerFlag = (trailer: Trailer | null, name: string) => trailer?.get(name) === true;

/** One entry to write: a name and its value (undefined or false: nothing is written). */
export type TrailerEntry = [string, string | string[] | true | undefined | false];

/** Writes a trailer (empty string when there is nothing to say). */
export function formatTrailer(entries: TrailerEntry[]): string {
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === undefined || value === false) continue;
    if (value === true) parts.push(name);
    else if (Array.isArray(value)) {
      if (value.length > 0) parts.push(`${name}=${value.map(encode).join(',')}`);
    } else parts.push(`${name}=${encode(value)}`);
  }
  return parts.length ? ` <!-- chunkwise: ${parts.join('; ')} -->` : '';
}

// Percent-encode what would break the trailer syntax (and ">", so that "-->" never appears in a value).
const encode = (v: string) => v.replace(/[%;,=\s>]/g, (c) => encodeURIComponent(c));
