/** Text helpers shared by the importers: input normalisation, slugs, ids and length limits. */

/** Removes a byte-order mark and turns CRLF / CR line endings into LF. */
export function normalizeNewlines(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** `Spec Update (CLI)` → `spec-update-cli`: lowercase ASCII words joined by "-", at most `max` characters. */
export function slugify(text: string, max = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max);
  const dash = cut.lastIndexOf('-');
  return (dash > max / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '');
}

/** `add-list-json-output` → `Add list json output`. */
export function titleFromSlug(name: string): string {
  const words = name
    .replace(/^\d{4}-\d{2}-\d{2}-/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : name;
}

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
export const CHUNK_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const MAX_ID = 100;

/** Makes a string a valid task id (letters, digits, `_ . : -`, starting with a letter or digit), or '' when nothing is left. */
export function sanitizeId(raw: string): string {
  return raw
    .trim()
    .replace(/[^A-Za-z0-9_.:-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_ID);
}

/** Makes a string a valid chunk key (no ":"), or '' when nothing is left. */
export function sanitizeChunkKey(raw: string): string {
  return raw
    .trim()
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/_+$/, '')
    .slice(0, MAX_ID);
}

/** Cuts `text` to `max` characters; `cut` tells whether it did. */
export function limit(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  return { text: `${text.slice(0, max - 1)}…`, cut: true };
}

/** First line of a text, for titles; at most `max` characters, cut at a word. */
export function firstLine(text: string, max = 120): string {
  const line = text.trim().split('\n')[0].trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Trims trailing blank lines and trailing whitespace. */
export function trimBlock(lines: readonly string[]): string {
  let end = lines.length;
  while (end > 0 && lines[end - 1].trim() === '') end--;
  let start = 0;
  while (start < end && lines[start].trim() === '') start++;
  return lines
    .slice(start, end)
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n');
}

/** Removes the common leading indentation of the non-blank lines. */
export function dedent(lines: readonly string[]): string[] {
  let min = Infinity;
  for (const l of lines) if (l.trim()) min = Math.min(min, l.length - l.trimStart().length);
  if (!Number.isFinite(min) || min === 0) return [...lines];
  return lines.map((l) => (l.trim() ? l.slice(min) : ''));
}
