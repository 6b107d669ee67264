import {
  CommandBus,
  CommandHandler,
  type ICommandHandler,
  type IQueryHandler,
  QueryHandler,
} from '@nestjs/cqrs';
import { PlanCommandService, PlanNotFoundError } from '@chunkwise/application';
import { DomainError, stateAtRevision, type PlanSource } from '@chunkwise/domain';
import { exportPlan, importAllTags, ImportError, importPlan, type ImportedPlan } from '@chunkwise/formats';
import { newPlanId } from '../plans/plan-ids';
import { WritePlanCommand } from '../plans/write-plan.command';
import { importValidationError } from './import-errors';
import { ExportPlanQuery, ImportPlansCommand, type ExportAnswer, type ImportResult } from './import.commands';

@CommandHandler(ImportPlansCommand)
export class ImportPlansHandler implements ICommandHandler<ImportPlansCommand> {
  constructor(private readonly commands: CommandBus) {}

  async execute({ request, options }: ImportPlansCommand): Promise<ImportResult[]> {
    let plans: ImportedPlan[];
    try {
      plans = request.allTags ? importAllTags(request) : [importPlan(request)];
    } catch (err) {
      if (err instanceof ImportError) throw importValidationError(err, request.filename);
      throw err;
    }
    if (request.dryRun) return plans.map((p) => ({ ...summary(p), document: { ...p.document } }));
    // Every plan is validated before the first is stored, so a bad tag stores nothing.
    const results: ImportResult[] = [];
    for (const plan of plans) {
      const planId = newPlanId();
      const outcome = await this.commands.execute(
        new WritePlanCommand(
          planId,
          { type: 'CreatePlan', planId, document: plan.document, source: sourceOf(plan) },
          options,
        ),
      );
      results.push({ id: outcome.id, revision: outcome.revision, ...summary(plan) });
    }
    return results;
  }
}

/** The PlanCreated source of an import: format, file, input hash, how many warnings. */
function sourceOf(plan: ImportedPlan): PlanSource {
  return {
    kind: 'import',
    format: plan.format,
    ...(plan.filename ? { filename: plan.filename } : {}),
    sha256: plan.sha256,
    warnings: plan.warnings.length,
    ...(plan.tag ? { detail: `tag ${plan.tag}` } : {}),
  };
}

function summary(plan: ImportedPlan): ImportResult {
  return {
    format: plan.format,
    ...(plan.filename ? { filename: plan.filename } : {}),
    sha256: plan.sha256,
    ...(plan.tag ? { tag: plan.tag } : {}),
    chunks: plan.content.chunks.length,
    tasks: plan.content.tasks.length,
    stats: plan.stats,
    warnings: plan.warnings,
  };
}

/** Exports from the event store (authoritative, and the only place past revisions live). */
@QueryHandler(ExportPlanQuery)
export class ExportPlanHandler implements IQueryHandler<ExportPlanQuery> {
  constructor(private readonly plans: PlanCommandService) {}

  async execute({ planId, format, revision, options }: ExportPlanQuery): Promise<ExportAnswer> {
    const { events, state } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    if (revision !== undefined && (revision < 1 || revision > state.revision))
      throw new DomainError(
        'plan_not_found',
        `plan ${planId} has revisions 1..${state.revision}; there is no revision ${revision}`,
      );
    const at = revision === undefined ? state : stateAtRevision(events, revision);
    if (!at) throw new PlanNotFoundError(planId);
    const exported = exportPlan(at.content, format, options);
    return { planId, revision: at.revision, format, files: exported.files, warnings: exported.warnings };
  }
}

export const IMPORT_HANDLERS = [ImportPlansHandler, ExportPlanHandler];
