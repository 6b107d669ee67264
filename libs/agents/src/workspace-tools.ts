import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { runAllowedCommand, type CommandPolicy } from './workspace-tools-command';
import { ToolError, WorkTree } from './workspace-tools-paths';
import { searchTree, SKIPPED_DIRS } from './workspace-tools-search';

/** Input schemas of the six tools; their JSON Schema form is what the model is shown. */
const pathField = z
  .string()
  .min(1)
  .describe('Path relative to the work tree root (an absolute path must lie inside the work tree)');

export const toolInputSchemas = {
  read_file: z
    .object({
      path: pathField,
      start_line: z.number().int().min(1).optional().describe('First line to return (1-based)'),
      end_line: z.number().int().min(1).optional().describe('Last line to return (inclusive)'),
    })
    .strict(),
  write_file: z
    .object({
      path: pathField,
      content: z.string().describe('The complete new content of the file'),
    })
    .strict(),
  edit_file: z
    .object({
      path: pathField,
      old_string: z.string().min(1).describe('Exact text to replace; it must occur exactly once in the file'),
      new_string: z.string().describe('The replacement text'),
    })
    .strict(),
  list_dir: z
    .object({
      path: pathField.optional().describe('Directory to list (default: the work tree root)'),
      recursive: z.boolean().optional().describe('List subdirectories too (bounded depth and size)'),
    })
    .strict(),
  search: z
    .object({
      pattern: z.string().min(1).describe('A JavaScript regular expression (or plain text with literal)'),
      path: pathField.optional().describe('File or directory to search (default: the whole work tree)'),
      literal: z.boolean().optional().describe('Treat the pattern as plain text'),
      ignore_case: z.boolean().optional(),
    })
    .strict(),
  run_command: z
    .object({
      command: z.string().min(1).describe('Program to run; must be one of the allowed commands'),
      args: z.array(z.string()).default([]).describe('Arguments, one per element (no shell)'),
    })
    .strict(),
} as const;

export type ToolName = keyof typeof toolInputSchemas;
export const TOOL_NAMES = Object.keys(toolInputSchemas) as ToolName[];

const DESCRIPTIONS: Record<ToolName, string> = {
  read_file: 'Read a text file of the work tree, optionally a range of lines.',
  write_file: 'Create or overwrite a file with the given content; parent directories are created.',
  edit_file:
    'Replace one exact occurrence of old_string with new_string in a file. Fails when old_string is missing or occurs more than once (add surrounding context then).',
  list_dir: 'List a directory of the work tree (directories end with "/"). .git is never listed.',
  search:
    'Search the files of the work tree line by line for a regular expression (or literal text); returns path:line: text.',
  run_command:
    'Run an allowed program with arguments in the work tree root, without a shell; returns its exit status and output.',
};

/** A tool definition in the shape the Messages API expects. */
export interface ToolDefinition {
  name: ToolName;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

export function toolDefinitions(allowCommands: string[]): ToolDefinition[] {
  return TOOL_NAMES.map((name) => {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(toolInputSchemas[name], { io: 'input' });
    const description =
      name === 'run_command'
        ? `${DESCRIPTIONS[name]} Allowed commands: ${allowCommands.length ? allowCommands.join(', ') : 'none'}.`
        : DESCRIPTIONS[name];
    return { name, description, input_schema: { ...schema, type: 'object' } };
  });
}

export interface WorkspaceLimits {
  /** read_file refuses larger reads (ask for a line range then). */
  maxReadBytes: number;
  maxWriteBytes: number;
  maxListEntries: number;
  maxListDepth: number;
  maxSearchResults: number;
  searchTimeoutMs: number;
}

export const DEFAULT_LIMITS: WorkspaceLimits = {
  maxReadBytes: 256 * 1024,
  maxWriteBytes: 2 * 1024 * 1024,
  maxListEntries: 1000,
  maxListDepth: 6,
  maxSearchResults: 200,
  searchTimeoutMs: 15_000,
};

export interface ToolOutcome {
  content: string;
  isError: boolean;
  /** One short line for the live log: never file contents. */
  summary: string;
}

export interface WorkspaceToolsOptions {
  commands: CommandPolicy;
  limits?: Partial<WorkspaceLimits>;
  /** Files the model may read but not change (the frozen full plan). */
  readOnlyPaths?: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function formatZodError(name: string, error: z.ZodError): string {
  const issues = error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`);
  return `invalid input for ${name}: ${issues.join('; ')}`;
}

/** The six tools over one work tree. Every failure comes back as an error outcome, never a throw. */
export class WorkspaceTools {
  private constructor(
    readonly tree: WorkTree,
    private readonly commands: CommandPolicy,
    private readonly limits: WorkspaceLimits,
  ) {}

  static async open(root: string, options: WorkspaceToolsOptions): Promise<WorkspaceTools> {
    const tree = await WorkTree.open(root, { readOnlyPaths: options.readOnlyPaths });
    return new WorkspaceTools(tree, options.commands, { ...DEFAULT_LIMITS, ...options.limits });
  }

  definitions(): ToolDefinition[] {
    return toolDefinitions(this.commands.allow);
  }

  async execute(name: string, input: unknown, signal?: AbortSignal): Promise<ToolOutcome> {
    try {
      if (!(TOOL_NAMES as string[]).includes(name)) throw new ToolError(`unknown tool ${name}`);
      const tool = name as ToolName;
      const parsed = toolInputSchemas[tool].safeParse(input ?? {});
      if (!parsed.success) throw new ToolError(formatZodError(tool, parsed.error));
      return await this.dispatch(tool, parsed.data, signal);
    } catch (e) {
      // Unexpected I/O errors are the model's to see too (e.g. EACCES), but stripped of stacks.
      const message =
        e instanceof ToolError ? e.message : `${name} failed: ${(e as Error)?.message ?? String(e)}`;
      return { content: message, isError: true, summary: message.slice(0, 200) };
    }
  }

  private dispatch(tool: ToolName, input: any, signal?: AbortSignal): Promise<ToolOutcome> {
    switch (tool) {
      case 'read_file':
        return this.readFile(input);
      case 'write_file':
        return this.writeFile(input);
      case 'edit_file':
        return this.editFile(input);
      case 'list_dir':
        return this.listDir(input);
      case 'search':
        return this.search(input, signal);
      case 'run_command':
        return this.runCommand(input, signal);
    }
  }

  private async readFile(i: z.infer<(typeof toolInputSchemas)['read_file']>): Promise<ToolOutcome> {
    const r = await this.tree.forRead(i.path);
    const st = await fs.stat(r.abs);
    if (st.isDirectory()) throw new ToolError(`${r.rel} is a directory (use list_dir)`);
    const ranged = i.start_line !== undefined || i.end_line !== undefined;
    // A range may be read from a big file (up to a hard ceiling), a whole file only when small.
    const ceiling = ranged ? this.limits.maxReadBytes * 16 : this.limits.maxReadBytes;
    if (st.size > ceiling)
      throw new ToolError(
        `${r.rel} is ${st.size} bytes, more than ${ceiling}; ${ranged ? 'too large to read' : 'read it in parts with start_line/end_line'}`,
      );
    const buf = await fs.readFile(r.abs);
    if (buf.subarray(0, 8000).includes(0)) throw new ToolError(`${r.rel} looks like a binary file`);
    const text = buf.toString('utf8');
    if (!ranged) return { content: text, isError: false, summary: `${st.size} bytes` };
    const lines = text.split('\n');
    const from = i.start_line ?? 1;
    const to = Math.min(i.end_line ?? lines.length, lines.length);
    if (from > lines.length) throw new ToolError(`${r.rel} has only ${lines.length} lines`);
    if (to < from) throw new ToolError('end_line is before start_line');
    const part = lines.slice(from - 1, to).join('\n');
    if (Buffer.byteLength(part) > this.limits.maxReadBytes)
      throw new ToolError(
        `lines ${from}-${to} of ${r.rel} exceed ${this.limits.maxReadBytes} bytes; ask for fewer`,
      );
    return {
      content: `[${r.rel}: lines ${from}-${to} of ${lines.length}]\n${part}`,
      isError: false,
      summary: `lines ${from}-${to}`,
    };
  }

  private async writeFile(i: z.infer<(typeof toolInputSchemas)['write_file']>): Promise<ToolOutcome> {
    const bytes = Buffer.byteLength(i.content);
    if (bytes > this.limits.maxWriteBytes)
      throw new ToolError(`content is ${bytes} bytes, more than the limit of ${this.limits.maxWriteBytes}`);
    const r = await this.tree.forWrite(i.path);
    if (r.exists && (await fs.stat(r.abs)).isDirectory()) throw new ToolError(`${r.rel} is a directory`);
    await fs.mkdir(path.dirname(r.abs), { recursive: true });
    await fs.writeFile(r.abs, i.content);
    return {
      content: `${r.exists ? 'overwrote' : 'created'} ${r.rel} (${bytes} bytes)`,
      isError: false,
      summary: r.exists ? 'overwritten' : 'created',
    };
  }

  private async editFile(i: z.infer<(typeof toolInputSchemas)['edit_file']>): Promise<ToolOutcome> {
    const r = await this.tree.forWrite(i.path);
    if (!r.exists) throw new ToolError(`${r.rel}: no such file (use write_file to create it)`);
    if (i.old_string === i.new_string) throw new ToolError('old_string and new_string are the same');
    const st = await fs.stat(r.abs);
    if (!st.isFile()) throw new ToolError(`${r.rel} is not a regular file`);
    if (st.size > this.limits.maxWriteBytes) throw new ToolError(`${r.rel} is too large to edit`);
    const text = await fs.readFile(r.abs, 'utf8');
    const first = text.indexOf(i.old_string);
    if (first < 0)
      throw new ToolError(
        `old_string was not found in ${r.rel}; it must match the file exactly, whitespace included (read_file shows the current text)`,
      );
    let count = 0;
    for (let at = first; at >= 0; at = text.indexOf(i.old_string, at + i.old_string.length)) count++;
    if (count > 1)
      throw new ToolError(
        `old_string occurs ${count} times in ${r.rel}; include more surrounding text so it matches exactly once`,
      );
    const next = text.slice(0, first) + i.new_string + text.slice(first + i.old_string.length);
    await fs.writeFile(r.abs, next);
    const line = text.slice(0, first).split('\n').length;
    return { content: `edited ${r.rel} at line ${line}`, isError: false, summary: `edited at line ${line}` };
  }

  private async listDir(i: z.infer<(typeof toolInputSchemas)['list_dir']>): Promise<ToolOutcome> {
    const r = await this.tree.forRead(i.path ?? '.');
    if (!(await fs.stat(r.abs)).isDirectory()) throw new ToolError(`${r.rel} is not a directory`);
    const maxDepth = i.recursive ? this.limits.maxListDepth : 1;
    const out: string[] = [];
    let truncated = false;
    const visit = async (dir: string, prefix: string, depth: number): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : 1)); // byte order, like `ls` in the C locale
      for (const e of entries) {
        if (out.length >= this.limits.maxListEntries) {
          truncated = true;
          return;
        }
        if (e.name === '.git') continue;
        const shown = prefix + e.name;
        if (e.isSymbolicLink()) out.push(`${shown}@`);
        else if (e.isDirectory()) {
          // node_modules is named but not walked: it would swamp the listing.
          const walk = depth < maxDepth && !SKIPPED_DIRS.has(e.name);
          out.push(`${shown}/${!walk && i.recursive && SKIPPED_DIRS.has(e.name) ? ' (not listed)' : ''}`);
          if (walk) await visit(path.join(dir, e.name), `${shown}/`, depth + 1);
        } else out.push(shown);
      }
    };
    await visit(r.abs, '', 1);
    if (truncated) out.push(`[listing stopped at ${this.limits.maxListEntries} entries]`);
    return {
      content: out.length ? out.join('\n') : '(empty directory)',
      isError: false,
      summary: plural(out.length, 'entry', 'entries'),
    };
  }

  private async search(
    i: z.infer<(typeof toolInputSchemas)['search']>,
    signal?: AbortSignal,
  ): Promise<ToolOutcome> {
    const start = await this.tree.forRead(i.path ?? '.');
    const r = await searchTree(
      this.tree,
      start,
      {
        pattern: i.pattern,
        literal: i.literal ?? false,
        ignoreCase: i.ignore_case ?? false,
        maxResults: this.limits.maxSearchResults,
        maxFileBytes: this.limits.maxReadBytes * 4,
        maxFiles: 20_000,
        timeoutMs: this.limits.searchTimeoutMs,
      },
      signal,
    );
    const lines = r.matches.map((m) => `${m.file}:${m.line}: ${m.text}`);
    if (r.truncated) lines.push(`[${r.truncated}]`);
    return {
      content: r.matches.length ? lines.join('\n') : `no matches in ${plural(r.filesScanned, 'file')}`,
      isError: false,
      summary: `${plural(r.matches.length, 'match', 'matches')} in ${plural(r.filesScanned, 'file')}`,
    };
  }

  private async runCommand(
    i: z.infer<(typeof toolInputSchemas)['run_command']>,
    signal?: AbortSignal,
  ): Promise<ToolOutcome> {
    const r = await runAllowedCommand(this.tree, this.commands, i.command, i.args, signal);
    return { content: r.text, isError: r.isError, summary: r.summary };
  }
}

/** A short description of a tool call for the live log: paths, commands, patterns; never contents. */
export function describeToolCall(name: string, input: unknown): string {
  const i = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);
  switch (name) {
    case 'run_command': {
      const args = Array.isArray(i.args) ? i.args.map((a) => (typeof a === 'string' ? a : '?')) : [];
      return clip([str(i.command), ...args].join(' '));
    }
    case 'search':
      return clip(`${JSON.stringify(str(i.pattern))}${i.path ? ` in ${str(i.path)}` : ''}`);
    case 'write_file':
      return `${clip(str(i.path))} (${typeof i.content === 'string' ? Buffer.byteLength(i.content) : 0} bytes)`;
    case 'read_file':
      return `${clip(str(i.path))}${i.start_line || i.end_line ? `:${i.start_line ?? 1}-${i.end_line ?? ''}` : ''}`;
    default:
      return clip(str(i.path) || (name === 'list_dir' ? '.' : ''));
  }
}
