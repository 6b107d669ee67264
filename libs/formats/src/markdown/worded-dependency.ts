/**
 * Reads a dependency written in words on one line of a plan: a label line
 * (`**Dependencies**: 1.2, 2.1`, `Depends on: T003`, `Requires:`, `Blocked by:`, `After:`) or an
 * inline phrase (`… (depends on T009-T016, T017)`). Pure text: which task the line belongs to and
 * whether the ids exist is decided later (see infer-dependencies.ts).
 */
export interface WordedDependency {
  /** The part that states the dependency, as written (`depends on T009-T016, T017`), at most 160 characters. */
  phrase: string;
  /** The ids it refers to, ranges expanded (`T009-T011` → T009, T010, T011), in order, without repeats. */
  refs: string[];
  /** `Dependencies: None`: the line says there is no dependency. */
  none: boolean;
  /** The id written before the phrase on the same line (`- T012 depends on T011`), if exactly one. */
  subject?: string;
}

const LABEL =
  /^\s*(?:[-*+]\s+)?[*_]{0,2}(dependencies|dependency|depends\s+on|deps|requires|blocked\s+by|after)[*_]{0,2}\s*:[*_]{0,2}\s*(.*)$/i;
const INLINE = /\b(depends?\s+on|dependent\s+on|blocked\s+by)\b[:\s]*/i;
const NONE = /^[\s*_]*(?:none|n\/a|nothing|-|–|—)[\s.*_]*$/i;

/** An id as plans write them: `T012`, `T012b`, `US1`, `3.2`, `7.4d`; plain numbers only in a list of ids. */
const STRONG_ID = /\b(?:[A-Z]{1,5}-?\d{1,9}[a-z]?|\d{1,9}(?:\.\d{1,9})+[a-z]?)\b/g;
const ANY_ID = /\b(?:[A-Z]{1,5}-?\d{1,9}[a-z]?|\d{1,9}(?:\.\d{1,9})*[a-z]?)\b/g;
/** What a plain list of ids may hold besides the ids: separators, "task(s)", "and", "#". */
const LIST_FILLER = /^(?:[\s,;&#/.+()[\]*_`]|–|—|-|\band\b|\bto\b|\bthrough\b|\btasks?\b|\bsubtasks?\b)*$/i;
const RANGE = /\b([A-Z]{0,5}-?)(\d{1,9})((?:\.\d{1,9})*)?\s*(?:-|–|—|\bto\b|\bthrough\b)\s*\1?(\d{1,9})\b/g;
const MAX_RANGE = 100;
const MAX_PHRASE = 160;
const MAX_LIST = 2000;

export function findWordedDependency(line: string): WordedDependency | null {
  const label = LABEL.exec(line);
  if (label) {
    // Emphasis around the line (`_After: 7.4d_`) is not part of the value.
    const value = label[2].replace(/[*_]+\s*$/, '').trim();
    const phrase = quote(`${label[1]}: ${value}`);
    if (NONE.test(value) || value === '') return { phrase, refs: [], none: true };
    return { phrase, refs: refsOf(value), none: false };
  }
  const inline = INLINE.exec(line);
  if (!inline) return null;
  const before = line.slice(0, inline.index);
  // Inside parentheses the phrase ends at the closing one; else at the end of the sentence.
  const opened = before.lastIndexOf('(') > before.lastIndexOf(')');
  let rest = line.slice(inline.index + inline[0].length);
  const end = opened ? rest.indexOf(')') : rest.search(/[.;](?:\s|$)/);
  if (end >= 0) rest = rest.slice(0, end);
  const phrase = quote(`${inline[1]} ${rest.trim()}`);
  const subjects = [
    ...new Set(before.replace(/^\s*(?:[-*+]|\d+[.)])\s+\[.\]\s*/, '').match(STRONG_ID) ?? []),
  ];
  return {
    phrase,
    refs: refsOf(rest),
    none: NONE.test(rest),
    ...(subjects.length === 1 && !/^\s*(?:[-*+]|\d+[.)])\s+\[.\]/.test(line) ? { subject: subjects[0] } : {}),
  };
}

function quote(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length <= MAX_PHRASE ? t : `${t.slice(0, MAX_PHRASE - 1)}…`;
}

/** The ids a phrase names; plain numbers count only when the phrase is nothing but a list of ids. */
export function refsOf(raw: string): string[] {
  // Emphasis and code marks are word characters to a regex (`_7.4d_`): they are not part of ids.
  // A list of ids is short; the cap keeps a hostile megabyte line from costing quadratic time.
  const text = raw.slice(0, MAX_LIST).replace(/[*_`]/g, ' ');
  const out: string[] = [];
  const add = (id: string) => {
    if (!out.includes(id)) out.push(id);
  };
  const isList = LIST_FILLER.test(text.replace(ANY_ID, ' '));
  const ranges: Array<{ from: number; to: number; ids: string[] }> = [];
  for (const m of text.matchAll(RANGE)) {
    const [, prefix, first, middle = '', last] = m;
    const a = Number(first);
    const b = Number(last);
    // `1.2-1.5` is read by the numbers after the last dot; `T009-T016` keeps the width of T009.
    if (middle) continue;
    if (b < a || b - a > MAX_RANGE || (!prefix && !isList)) continue;
    const width = first.length;
    const ids: string[] = [];
    for (let n = a; n <= b; n++) ids.push(`${prefix}${String(n).padStart(width, '0')}`);
    ranges.push({ from: m.index, to: m.index + m[0].length, ids });
  }
  const dotted = /\b(\d{1,9}(?:\.\d{1,9})*)\.(\d{1,9})\s*(?:-|–|—|\bto\b)\s*\1\.(\d{1,9})\b/g;
  for (const m of text.matchAll(dotted)) {
    const a = Number(m[2]);
    const b = Number(m[3]);
    if (b < a || b - a > MAX_RANGE) continue;
    const ids: string[] = [];
    for (let n = a; n <= b; n++) ids.push(`${m[1]}.${n}`);
    ranges.push({ from: m.index, to: m.index + m[0].length, ids });
  }
  const pattern = isList ? ANY_ID : STRONG_ID;
  for (const m of text.matchAll(pattern)) {
    const range = ranges.find((r) => m.index >= r.from && m.index < r.to);
    if (range) {
      if (m.index === range.from) range.ids.forEach(add);
      continue;
    }
    add(m[0]);
  }
  return out;
}
