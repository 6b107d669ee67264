import type { PlanContent } from '@chunkwise/domain';

/** The plan formats Chunkwise reads and writes. */
export const FORMATS = ['chunkwise', 'openspec', 'speckit', 'taskmaster', 'kiro', 'massgen'] as const;
export type FormatId = (typeof FORMATS)[number];
export type FormatChoice = FormatId | 'auto';

export const isFormatId = (value: unknown): value is FormatId =>
  typeof value === 'string' && (FORMATS as readonly string[]).includes(value);

/** Where something is in the input: a line of a text file, or a JSON path; `file` names the file of a folder. */
export interface SourceLocation {
  file?: string;
  line?: number;
  path?: string;
}

export type WarningCode =
  | 'not_imported'
  | 'unknown_field'
  | 'duplicate_id'
  | 'id_changed'
  | 'id_generated'
  | 'textual_dependency'
  | 'dependency_inferred'
  | 'nesting_changed'
  | 'duplicate_merged'
  | 'dependency_dropped'
  | 'status_mapped'
  | 'not_a_task'
  | 'truncated'
  | 'chunk_order'
  | 'chunks_merged'
  | 'parent_status'
  | 'tag_selected'
  | 'not_exported';

/** Something the import (or export) did not carry over as is. Never silent: every loss is one of these. */
export interface FormatWarning extends SourceLocation {
  code: WarningCode;
  message: string;
}

/** A problem that stops the import, naming the line or JSON path at fault. */
export interface ImportIssue extends SourceLocation {
  message: string;
}

/** An import failed: every problem found, each with its location. */
export class ImportError extends Error {
  constructor(
    readonly issues: ImportIssue[],
    readonly format?: FormatId,
  ) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'ImportError';
  }
}

export interface InputFile {
  name: string;
  content: string;
}

export interface ImportInput {
  /** One file's text; or give `files` (an OpenSpec change folder, a Task Master folder with state.json). */
  content?: string;
  filename?: string;
  files?: InputFile[];
  format?: FormatChoice;
  /** Task Master: the tag to import (default: the current tag, else `master`, else the first). */
  tag?: string;
  /** Overrides the title found in the source. */
  title?: string;
  repository?: string;
  /**
   * Dependencies written in words (`Depends on: 1.2`, `(depends on T009-T016)`) that name tasks of
   * the plan become real dependencies, when they are valid (same or earlier chunk, no cycle).
   */
  inferDependencies?: boolean;
}

/** The counts of the source, as its own tool sees them (the corpus README's columns). */
export interface SourceStats {
  /** Grouping units: OpenSpec `##` sections and Spec Kit phases holding tasks, Task Master tags, MassGen chunks. */
  groups: number;
  top: number;
  sub: number;
  done: { top: number; sub: number };
  /** Formal dependency entries as written (Task Master `dependencies`, MassGen `depends_on`). */
  deps: number;
  parallel: number;
  optional: number;
  cancelled: number;
  /** Lines that state a dependency in words ("depends on T012"); offered as warnings only. */
  textualDependencies: number;
}

/** The plan document an importer produces: the domain's document with the import markers. */
export interface ImportedTask {
  id: string;
  chunk: string;
  title: string;
  description: string;
  dependsOn: string[];
  canRunInParallel: boolean;
  acceptance: string[];
  status: 'pending' | 'running' | 'completed' | 'failed' | 'skipped';
  labels: string[];
  optional: boolean;
  cancelled: boolean;
}

export interface ImportedChunk {
  key: string;
  title: string;
  description: string;
  executionMode: 'sequential' | 'parallel' | 'manual';
  pauseAfter: boolean;
}

export interface ImportedDocument {
  title: string;
  description: string;
  repository?: string | null;
  chunks: ImportedChunk[];
  tasks: ImportedTask[];
  execution?: Record<string, unknown> | null;
}

export interface ImportedPlan {
  format: FormatId;
  /** The plan document, ready for CreatePlan (it passes the domain's validation). */
  document: ImportedDocument;
  /** The validated content (what the domain makes of `document`). */
  content: PlanContent;
  warnings: FormatWarning[];
  stats: SourceStats;
  /** sha256 (hex) of the input bytes (all files, in name order, for a folder). */
  sha256: string;
  filename?: string;
  /** Task Master: the tag imported. */
  tag?: string;
}

export interface ExportedFile {
  name: string;
  content: string;
  mediaType: string;
}

export interface ExportOptions {
  /** Task Master: the tag to write the tasks under (default `master`). */
  tag?: string;
  /** Chunkwise: JSON instead of YAML. */
  json?: boolean;
}

export interface ExportedPlan {
  format: FormatId;
  /** The main file first (tasks.md, tasks.json, project_plan.json, plan.yaml); OpenSpec adds proposal.md. */
  files: ExportedFile[];
  warnings: FormatWarning[];
}
