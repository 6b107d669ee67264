/** Differences between two JSON values, as `path: left … right` lines (at most `limit`). */
export function jsonDiff(
  left: unknown,
  right: unknown,
  limit = 20,
  labels: [string, string] = ['left', 'right'],
): string[] {
  const out: string[] = [];
  let more = 0;
  const show = (v: unknown) => {
    const s = v === undefined ? 'missing' : JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 79)}…` : s;
  };
  const walk = (a: unknown, b: unknown, path: string) => {
    if (a === b) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        if (out.length < limit)
          out.push(`${path || '.'}: ${a.length} items in ${labels[0]}, ${b.length} in ${labels[1]}`);
        else more++;
      }
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort())
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      return;
    }
    if (out.length < limit) out.push(`${path || '.'}: ${labels[0]} ${show(a)}, ${labels[1]} ${show(b)}`);
    else more++;
  };
  walk(left, right, '');
  if (more > 0) out.push(`… and ${more} more difference${more === 1 ? '' : 's'}`);
  return out;
}
