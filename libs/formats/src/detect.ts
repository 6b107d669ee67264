import { isRecord } from './json-input';
import { scanMarkdown } from './markdown/lines';
import { LETTER_ID } from './markdown/md-tasks';
import { taskMasterTags } from './taskmaster/taskmaster-import';
import { normalizeNewlines } from './text';
import type { FormatId, InputFile } from './types';

const baseName = (name: string) => name.split(/[\\/]/).pop()!.toLowerCase();

/**
 * Recognises the format of a plan from its file name and content. Returns null when nothing in
 * the input looks like a plan (no tasks JSON, no checkbox list).
 */
export function detectFormat(file: InputFile, others: readonly InputFile[] = []): FormatId | null {
  const name = file.name.toLowerCase();
  const base = baseName(file.name);
  if (base === 'tasks.md' && others.some((o) => baseName(o.name) === 'proposal.md')) return 'openspec';
  const text = normalizeNewlines(file.content);
  if (/^\s*[{[]/.test(text) || base.endsWith('.json')) return detectJson(text, base);
  if (/\.ya?ml$/.test(base)) return 'chunkwise';
  if (/^title\s*:/m.test(text) && /^tasks\s*:/m.test(text) && !/^\s*[-*+] \[[ xX]\]/m.test(text))
    return 'chunkwise';

  if (/(^|[\\/])\.kiro[\\/]/.test(name)) return 'kiro';
  if (/(^|[\\/])openspec[\\/]/.test(name)) return 'openspec';
  return detectMarkdown(text, name);
}

function detectJson(text: string, base: string): FormatId {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Let the format's own parser report the syntax error (with line and column).
    if (base === 'project_plan.json' || /"depends_on"|"chunk"\s*:/.test(text)) return 'massgen';
    if (base === 'tasks.json' || /"testStrategy"|"subtasks"|"dependencies"/.test(text)) return 'taskmaster';
    if (/"dependsOn"|"chunks"\s*:/.test(text)) return 'chunkwise';
    return base === 'plan.json' ? 'chunkwise' : 'taskmaster';
  }
  if (Array.isArray(data) || taskMasterTags(data)) return 'taskmaster';
  if (!isRecord(data)) return base === 'project_plan.json' ? 'massgen' : 'chunkwise';
  const tasks = Array.isArray(data.tasks) ? data.tasks.slice(0, 200).filter(isRecord) : [];
  const has = (k: string) => tasks.some((t) => k in t);
  const taskMasterish = has('subtasks') || has('testStrategy') || has('details') || has('dependencies');
  const massgenish = has('depends_on') || has('success_criteria') || has('task_type');
  // A Chunkwise document has a title; MassGen and Task Master files rarely do.
  if (typeof data.title === 'string') {
    if (Array.isArray(data.chunks) || has('dependsOn') || has('acceptance')) return 'chunkwise';
    if (massgenish) return 'massgen';
    if (taskMasterish) return 'taskmaster';
    return 'chunkwise';
  }
  if (massgenish || (has('chunk') && !taskMasterish) || base === 'project_plan.json') return 'massgen';
  return 'taskmaster';
}

/** Spec Kit ids (`T001`), Kiro numbered parents with nested subtasks, else OpenSpec `## N.` groups. */
function detectMarkdown(text: string, name: string): FormatId | null {
  const { lines } = scanMarkdown(text);
  let boxes = 0;
  let letterIds = 0;
  let kiro = 0;
  let phases = 0;
  let numberedHeadings = 0;
  for (const l of lines) {
    if (l.kind === 'heading') {
      if (/^[^\p{L}\p{N}]*phase\b/iu.test(l.text)) phases++;
      if (l.level === 2 && /^\d+[.)]/.test(l.text)) numberedHeadings++;
    } else if (l.kind === 'checkbox') {
      boxes++;
      if (LETTER_ID.test(l.text)) letterIds++;
      if (l.star) kiro += 2;
      if (l.indent > 0 && /^\d+\.\d+(?:\s|$)/.test(l.text)) kiro++;
      if (l.indent === 0 && /^\d+\.\s/.test(l.text)) kiro++;
    } else if (l.kind === 'text' && /^\s*[-*]?\s*_requirements?:/i.test(l.raw)) kiro++;
  }
  if (boxes === 0) return null;
  if (/(^|[\\/])specs[\\/]\d+-/.test(name) && !/\.kiro/.test(name)) return 'speckit';
  if (letterIds > 0 && letterIds * 2 >= boxes) return 'speckit';
  if (phases > 0 && letterIds > 0) return 'speckit';
  if (kiro > 0 && numberedHeadings === 0) return 'kiro';
  return 'openspec';
}
