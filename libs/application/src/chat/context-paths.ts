import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError, type LaunchRunParams } from '@chunkwise/domain';

export interface ResolvedContextPath {
  /** As given (relative paths are relative to the first root). */
  path: string;
  permission: 'read' | 'write';
  absolute: string;
}

/**
 * Resolves a run's context paths against the roots it may use (the project directory, the
 * repository). A path that leaves every root (`..`, an absolute path elsewhere) is refused (400).
 */
export function resolveContextPaths(
  paths: LaunchRunParams['context_paths'],
  roots: string[],
): ResolvedContextPath[] {
  if (paths.length && roots.length === 0)
    throw new DomainError(
      'invalid_command',
      'context_paths: this chat has no project or repository for paths to be in',
    );
  return paths.map((p, i) => {
    // A relative path is looked up in each root in turn (the project, then the repository).
    const candidates = roots.map((root) => path.resolve(root, p.path));
    const absolute = candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
    const inside = roots.some((root) => {
      const rel = path.relative(path.resolve(root), absolute);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
    if (!inside || p.path.split(/[\\/]/).includes('..'))
      throw new DomainError(
        'invalid_command',
        `context_paths[${i}].path: ${p.path} is outside the project and the repository (${roots.join(', ')})`,
      );
    return { path: p.path, permission: p.permission, absolute };
  });
}
