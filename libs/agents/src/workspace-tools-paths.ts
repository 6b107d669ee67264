import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** A refusal or failure reported back to the model as an error tool_result (never thrown out of a turn). */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface ResolvedPath {
  /** Absolute path with symlinks of its existing part resolved; what the tool operates on. */
  abs: string;
  /** Relative to the work tree root ('.' for the root itself), for messages. */
  rel: string;
  /** Whether something exists at the path. */
  exists: boolean;
}

/** True when `candidate` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

const isGitSegment = (s: string) => s.toLowerCase() === '.git';

/**
 * Resolves paths the model gives against one work tree and refuses every way out: absolute paths
 * elsewhere, `..` escapes, and symlinks (of the path itself or any parent) whose real target lies
 * outside. For a path that does not exist yet, the nearest existing ancestor is what gets checked,
 * since that is where the new file or directory will really be created.
 */
export class WorkTree {
  private constructor(
    /** The root as given (used in messages and as the cwd of commands). */
    readonly root: string,
    /** The root with its own symlinks resolved: every real path is compared with this. */
    readonly realRoot: string,
    private readonly readOnly: Set<string>,
  ) {}

  static async open(root: string, options: { readOnlyPaths?: string[] } = {}): Promise<WorkTree> {
    const realRoot = await fs.realpath(path.resolve(root));
    const st = await fs.stat(realRoot);
    if (!st.isDirectory()) throw new Error(`work tree ${root} is not a directory`);
    const given = path.resolve(root);
    const readOnly = new Set<string>();
    for (const p of options.readOnlyPaths ?? []) {
      // Re-based onto the real root, the form resolve() returns, so the comparison is exact.
      const abs = path.resolve(given, p);
      readOnly.add(path.join(realRoot, path.relative(isInside(given, abs) ? given : realRoot, abs)));
    }
    return new WorkTree(given, realRoot, readOnly);
  }

  /** Resolves a path for reading: it must exist and lie inside the tree. */
  async forRead(p: string): Promise<ResolvedPath> {
    const r = await this.resolve(p);
    if (!r.exists) throw new ToolError(`${r.rel}: no such file or directory`);
    return r;
  }

  /** Resolves a path for writing: inside the tree, not in `.git`, not a read-only file. */
  async forWrite(p: string): Promise<ResolvedPath> {
    const r = await this.resolve(p);
    if (r.rel.split(path.sep).some(isGitSegment))
      throw new ToolError(`${r.rel}: writing into .git is not allowed`);
    if (this.readOnly.has(r.abs)) throw new ToolError(`${r.rel}: this file is read-only`);
    return r;
  }

  private async resolve(p: string): Promise<ResolvedPath> {
    if (typeof p !== 'string' || p.length === 0) throw new ToolError('path must be a non-empty string');
    if (p.includes('\0')) throw new ToolError('path must not contain NUL characters');
    // Absolute paths are accepted when they point into the tree (the prompt names plan files so).
    const lexical = path.isAbsolute(p) ? path.resolve(p) : path.resolve(this.realRoot, p);
    // The model may name the root as given or its real path; both are the tree.
    const base = isInside(this.root, lexical) ? this.root : this.realRoot;
    if (!isInside(base, lexical))
      throw new ToolError(`${p}: outside the work tree (paths must stay inside ${this.root})`);
    const rest = path.relative(base, lexical);
    const segments = rest === '' ? [] : rest.split(path.sep);

    // Walk down from the root, following what exists with lstat so that a dangling symlink is
    // seen (and refused) rather than silently written through.
    let real = this.realRoot;
    let i = 0;
    for (; i < segments.length; i++) {
      const next = path.join(real, segments[i]);
      let st;
      try {
        st = await fs.lstat(next);
      } catch {
        break; // the rest does not exist yet
      }
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = await fs.realpath(next);
        } catch {
          throw new ToolError(`${p}: a symlink on this path points to something that does not exist`);
        }
        if (!isInside(this.realRoot, target))
          throw new ToolError(`${p}: a symlink on this path leads outside the work tree`);
        real = target;
      } else {
        real = next;
      }
    }
    const exists = i === segments.length;
    const abs = path.join(real, ...segments.slice(i));
    // Defence in depth: whatever the walk did, the result must still be inside.
    if (!isInside(this.realRoot, abs)) throw new ToolError(`${p}: outside the work tree`);
    return { abs, rel: path.relative(this.realRoot, abs) || '.', exists };
  }
}
