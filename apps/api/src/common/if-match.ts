import { BadRequestException } from '@nestjs/common';

/**
 * Parses an `If-Match` header naming a plan revision: `3`, `"3"` or `W/"3"` (the ETag of
 * `GET /plans/:id` is `"<revision>"`). `*` (any current representation) or an absent header mean
 * "no precondition". Anything else is a client mistake (400), never a silent unconditional write.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header.join(',') : header).trim();
  if (raw === '' || raw === '*') return undefined;
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length !== 1)
    throw new BadRequestException('If-Match must name exactly one plan revision, e.g. If-Match: "3"');
  const m = /^(?:(?:W\/)?"(\d{1,15})"|(\d{1,15}))$/.exec(parts[0]);
  if (!m) {
    throw new BadRequestException(
      `If-Match must be a plan revision such as 3, "3" or W/"3"; got ${JSON.stringify(parts[0].slice(0, 40))}`,
    );
  }
  return Number(m[1] ?? m[2]);
}

/**
 * Combines the revision a write was based on from the If-Match header and from the body's
 * `expectedRevision`. When both are given they must agree.
 */
export function combineExpectedRevision(
  fromHeader: number | undefined,
  fromBody: number | undefined,
): number | undefined {
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new BadRequestException(
      `If-Match names revision ${fromHeader} but the body's expectedRevision is ${fromBody}`,
    );
  }
  return fromHeader ?? fromBody;
}
