import { normalizeNewlines } from '../text';

/**
 * One line of a markdown file, classified. Only `heading` and `checkbox` lines carry structure;
 * code fences, HTML comments and YAML front matter are recognised first so that nothing inside
 * them is ever taken for a heading or a task.
 */
export type MdLine =
  | { kind: 'blank'; n: number; raw: string; indent: number }
  | { kind: 'heading'; n: number; raw: string; indent: number; level: number; text: string }
  | {
      kind: 'checkbox';
      n: number;
      raw: string;
      indent: number;
      /** The character in the box: " ", "x", "X", "-", "~", "/". */
      box: string;
      /** Kiro's optional marker: `- [ ]* 1.4 …`. */
      star: boolean;
      text: string;
    }
  | { kind: 'text'; n: number; raw: string; indent: number }
  | { kind: 'code'; n: number; raw: string; indent: number; fence: number }
  | { kind: 'comment'; n: number; raw: string; indent: number }
  | { kind: 'frontmatter'; n: number; raw: string; indent: number };

// No lazy group before an end anchor: a megabyte of trailing spaces must not cost quadratic time.
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*)|$)/;
const CHECKBOX = /^(\s*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX~/-])\](\\?\*)?(?:[ \t]+(.*)|$)/;

/** Heading text without the optional closing `#`s. */
function headingText(text: string): string {
  const t = text.trim();
  if (!/(?:^|[ \t])#+$/.test(t)) return t;
  return t.replace(/#+$/, '').trimEnd();
}
const FENCE_OPEN = /^\s*(`{3,}|~{3,})(.*)$/;

/** Leading tabs count as four columns (markdown's tab stop), so mixed indentation nests as it looks. */
function expandIndent(line: string): string {
  const m = /^[ \t]+/.exec(line);
  if (!m || !m[0].includes('\t')) return line;
  let width = 0;
  for (const ch of m[0]) width = ch === '\t' ? width + 4 - (width % 4) : width + 1;
  return ' '.repeat(width) + line.slice(m[0].length);
}

export interface ScannedMarkdown {
  lines: MdLine[];
  /** The line of a fence that was never closed (it runs to the end of the file), if any. */
  unclosedFence?: number;
}

export function scanMarkdown(input: string): ScannedMarkdown {
  const raw = normalizeNewlines(input).split('\n').map(expandIndent);
  const lines: MdLine[] = [];
  let i = 0;

  // YAML front matter: only at the very top, only when it closes.
  if (raw[0]?.trim() === '---') {
    const end = raw.findIndex((l, k) => k > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (end > 0) {
      for (; i <= end; i++) lines.push({ kind: 'frontmatter', n: i + 1, raw: raw[i], indent: 0 });
    }
  }

  let fence: { char: string; length: number; open: number } | null = null;
  let inComment = false;
  let sawContent = false;
  let unclosedFence: number | undefined;
  for (; i < raw.length; i++) {
    const line = raw[i];
    const n = i + 1;
    const indent = line.length - line.trimStart().length;
    if (fence) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length) {
        lines.push({ kind: 'code', n, raw: line, indent, fence: fence.open });
        fence = null;
      } else {
        lines.push({ kind: 'code', n, raw: line, indent, fence: fence.open });
      }
      continue;
    }
    if (inComment) {
      lines.push({ kind: 'comment', n, raw: line, indent });
      if (line.includes('-->')) inComment = false;
      continue;
    }
    if (line.trim() === '') {
      lines.push({ kind: 'blank', n, raw: line, indent: 0 });
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { char: open[1][0], length: open[1].length, open: n };
      sawContent = true;
      lines.push({ kind: 'code', n, raw: line, indent, fence: n });
      continue;
    }
    if (line.trimStart().startsWith('<!--')) {
      sawContent = true;
      lines.push({ kind: 'comment', n, raw: line, indent });
      const rest = line.slice(line.indexOf('<!--') + 4);
      if (!rest.includes('-->')) inComment = true;
      continue;
    }
    // The first line of a file is read as a heading even when indented (a copy-paste artefact).
    const heading = HEADING.exec(sawContent ? line : line.trimStart());
    sawContent = true;
    if (heading) {
      lines.push({
        kind: 'heading',
        n,
        raw: line,
        indent,
        level: heading[1].length,
        text: headingText(heading[2] ?? ''),
      });
      continue;
    }
    const box = CHECKBOX.exec(line);
    if (box) {
      lines.push({
        kind: 'checkbox',
        n,
        raw: line,
        indent: box[1].length,
        box: box[2],
        star: box[3] !== undefined,
        text: (box[4] ?? '').trim(),
      });
      continue;
    }
    lines.push({ kind: 'text', n, raw: line, indent });
  }
  if (fence) unclosedFence = fence.open;
  return { lines, unclosedFence };
}
