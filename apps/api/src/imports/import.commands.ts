import { Command, Query } from '@nestjs/cqrs';
import type { ExportOptions, FormatId, ImportInput } from '@chunkwise/formats';
import type { z } from 'zod';
import type { WriteOptions } from '../common/request-context';
import type { exportAnswerSchema, importResultSchema } from './import-schemas';

export type ImportResult = z.output<typeof importResultSchema>;
export type ExportAnswer = z.output<typeof exportAnswerSchema>;

export interface ImportRequest extends ImportInput {
  /** Task Master: one plan per tag. */
  allTags?: boolean;
  /** Parse and validate only; store nothing. */
  dryRun?: boolean;
}

/** Imports a plan file (or one plan per Task Master tag): one PlanCreated event per plan. */
export class ImportPlansCommand extends Command<ImportResult[]> {
  constructor(
    readonly request: ImportRequest,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

/** A plan (as it is, or at a revision) written in another tool's format. */
export class ExportPlanQuery extends Query<ExportAnswer> {
  constructor(
    readonly planId: string,
    readonly format: FormatId,
    readonly revision: number | undefined,
    readonly options: ExportOptions,
  ) {
    super();
  }
}
