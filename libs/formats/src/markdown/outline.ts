import { scanMarkdown, type MdLine } from './lines';
import { findWordedDependency, type WordedDependency } from './worded-dependency';

/** A checkbox line with the lines that belong to it (more indented) and its nested checkboxes. */
export interface MdTask {
  line: number;
  /** The checkbox line as written. */
  raw: string;
  indent: number;
  box: string;
  star: boolean;
  text: string;
  /** Lines under the checkbox that are not checkboxes themselves (indentation kept). */
  body: string[];
  children: MdTask[];
  depth: number;
}

export interface MdHeading {
  level: number;
  text: string;
  line: number;
}

/** The lines from one heading to the next (the first section has no heading). */
export interface MdSection {
  heading?: MdHeading;
  /** The headings this section is nested in, outermost first, ending with its own. */
  trail: MdHeading[];
  /** Lines that belong to no task, in order (code blocks included). */
  prose: Array<{ n: number; raw: string }>;
  tasks: MdTask[];
  /** The last line of the section. */
  end: number;
}

export interface MdOutline {
  sections: MdSection[];
  frontmatter: Array<{ n: number; raw: string }>;
  comments: Array<{ from: number; to: number; text: string }>;
  /** Lines that state a dependency in words (outside code blocks), with the task line they belong to. */
  textualDependencies: TextualDependencyLine[];
  unclosedFence?: number;
}

export interface TextualDependencyLine {
  n: number;
  dep: WordedDependency;
  /** The line of the checkbox task this line is (or is under); none for prose. */
  owner?: number;
}

/** Nested checkboxes deeper than this are kept at this depth (a hostile file must not exhaust the stack). */
export const MAX_DEPTH = 8;

/**
 * Splits a markdown file into sections (by heading) holding trees of checkbox tasks. Nesting
 * follows indentation: a checkbox belongs to the nearest checkbox above it that is less indented;
 * a non-checkbox line belongs to the nearest checkbox above it that is less indented, else to the
 * section's prose.
 */
export function outlineMarkdown(input: string): MdOutline {
  const { lines, unclosedFence } = scanMarkdown(input);
  const first: MdSection = { trail: [], prose: [], tasks: [], end: 0 };
  const sections: MdSection[] = [first];
  const frontmatter: MdOutline['frontmatter'] = [];
  const comments: MdOutline['comments'] = [];
  const textualDependencies: MdOutline['textualDependencies'] = [];
  let section = first;
  let open: MdTask[] = [];
  let trail: MdHeading[] = [];
  /** Where the lines of the current code block go: a task's body or the section prose. */
  let fenceTarget: { fence: number; task: MdTask | null } | null = null;

  const attachText = (line: MdLine) => {
    while (open.length > 0 && open[open.length - 1].indent >= line.indent) open.pop();
    const owner = open[open.length - 1];
    if (owner) owner.body.push(line.raw);
    else section.prose.push({ n: line.n, raw: line.raw });
    return owner ?? null;
  };

  const noteDependency = (line: MdLine, owner: MdTask | null) => {
    const dep = findWordedDependency(line.raw);
    if (dep) textualDependencies.push({ n: line.n, dep, ...(owner ? { owner: owner.line } : {}) });
  };

  for (const line of lines) {
    section.end = line.n;
    switch (line.kind) {
      case 'frontmatter':
        frontmatter.push({ n: line.n, raw: line.raw });
        break;
      case 'comment': {
        const last = comments[comments.length - 1];
        if (last && last.to === line.n - 1 && !last.text.includes('-->')) {
          last.to = line.n;
          last.text += `\n${line.raw}`;
        } else comments.push({ from: line.n, to: line.n, text: line.raw });
        break;
      }
      case 'heading': {
        open = [];
        fenceTarget = null;
        const heading = { level: line.level, text: line.text, line: line.n };
        trail = [...trail.filter((h) => h.level < line.level), heading];
        section = { heading, trail, prose: [], tasks: [], end: line.n };
        sections.push(section);
        break;
      }
      case 'checkbox': {
        fenceTarget = null;
        while (open.length > 0 && open[open.length - 1].indent >= line.indent) open.pop();
        if (open.length >= MAX_DEPTH) open = open.slice(0, MAX_DEPTH - 1);
        const parent = open[open.length - 1];
        const task: MdTask = {
          line: line.n,
          raw: line.raw,
          indent: line.indent,
          box: line.box,
          star: line.star,
          text: line.text,
          body: [],
          children: [],
          depth: open.length,
        };
        if (parent) parent.children.push(task);
        else section.tasks.push(task);
        open.push(task);
        noteDependency(line, task);
        break;
      }
      case 'blank': {
        const owner = fenceTarget?.task ?? open[open.length - 1];
        if (owner) owner.body.push('');
        else section.prose.push({ n: line.n, raw: '' });
        break;
      }
      case 'code': {
        if (fenceTarget && fenceTarget.fence === line.fence) {
          if (fenceTarget.task) fenceTarget.task.body.push(line.raw);
          else section.prose.push({ n: line.n, raw: line.raw });
        } else {
          fenceTarget = { fence: line.fence, task: attachText(line) };
        }
        break;
      }
      case 'text':
        fenceTarget = null;
        noteDependency(line, attachText(line));
        break;
    }
  }
  return { sections, frontmatter, comments, textualDependencies, unclosedFence };
}

/** Every task of a tree, parents before children (iterative). */
export function eachTask(tasks: readonly MdTask[], visit: (t: MdTask, parent: MdTask | null) => void): void {
  const stack: Array<{ t: MdTask; parent: MdTask | null }> = [...tasks]
    .reverse()
    .map((t) => ({ t, parent: null }));
  while (stack.length > 0) {
    const { t, parent } = stack.pop()!;
    visit(t, parent);
    for (let i = t.children.length - 1; i >= 0; i--) stack.push({ t: t.children[i], parent: t });
  }
}

/** A task tree as the lines it was written as (checkbox, body, nested checkboxes), in order. */
export function taskSource(t: MdTask): string {
  const out: string[] = [];
  const visit = (task: MdTask) => {
    out.push(task.raw);
    // Body lines come before nested checkboxes in most files; keeping that order is enough for prose.
    out.push(...task.body);
    task.children.forEach(visit);
  };
  visit(t);
  return out.join('\n');
}
