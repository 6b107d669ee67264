import type { FormatWarning, SourceLocation, WarningCode } from './types';

/** "line 12", "tasks[3].status", "tasks.md line 4": how a location reads in a message. */
export function describeLocation(loc: SourceLocation | undefined, withFile = true): string {
  if (!loc) return '';
  const where = loc.line !== undefined ? `line ${loc.line}` : (loc.path ?? '');
  if (!withFile) return where || (loc.file ?? '');
  if (loc.file && where) return `${loc.file} ${where}`;
  return loc.file ?? where;
}

const MAX_LISTED = 5;

/**
 * Collects the warnings of one import or export. Repeated losses of the same kind (an unknown
 * field on a thousand tasks) are folded into one warning that counts them and names the first few
 * places, so that a large file gives a readable list.
 */
export class Warnings {
  private readonly list: FormatWarning[] = [];
  private readonly grouped = new Map<string, { code: WarningCode; what: string; places: SourceLocation[] }>();

  add(code: WarningCode, message: string, loc?: SourceLocation): void {
    const where = describeLocation(loc);
    this.list.push({ code, message: where ? `${where}: ${message}` : message, ...clean(loc) });
  }

  /** One warning per (code, what), listing where it happened. */
  addGrouped(code: WarningCode, what: string, loc: SourceLocation): void {
    const k = `${code}\u0000${what}`;
    const entry = this.grouped.get(k);
    if (entry) entry.places.push(loc);
    else this.grouped.set(k, { code, what, places: [loc] });
  }

  get count(): number {
    return this.list.length + this.grouped.size;
  }

  toArray(): FormatWarning[] {
    const folded = [...this.grouped.values()].map(({ code, what, places }) => {
      const shown = places
        .slice(0, MAX_LISTED)
        .map((p) => describeLocation(p))
        .join(', ');
      const more = places.length > MAX_LISTED ? ` and ${places.length - MAX_LISTED} more` : '';
      const times = places.length === 1 ? '' : ` (${places.length} times)`;
      return { code, message: `${what}${times}: ${shown}${more}`, ...clean(places[0]) };
    });
    // In line order, so that the list reads along the file; warnings without a line (the plan's,
    // JSON paths) keep their order, before the rest (the sort is stable).
    return [...this.list, ...folded].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
}

function clean(loc: SourceLocation | undefined): SourceLocation {
  const out: SourceLocation = {};
  if (loc?.file !== undefined) out.file = loc.file;
  if (loc?.line !== undefined) out.line = loc.line;
  if (loc?.path !== undefined) out.path = loc.path;
  return out;
}
