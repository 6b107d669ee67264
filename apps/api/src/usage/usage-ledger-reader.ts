import { Inject, Injectable } from '@nestjs/common';
import { PlanNotFoundError } from '@chunkwise/application';
import {
  filterLedger,
  ledgerEntries,
  typicalTurnSpend,
  type LedgerEntry,
  type LedgerFilter,
  type Spend,
} from '@chunkwise/domain';
import type { PlanSummary, ReadModelStore } from '@chunkwise/read-models';
import { READ_MODEL_STORE } from '../infrastructure/tokens';
import { allPlans } from './all-plans';

/**
 * The ledger's entries, read from the plan history read model (a projection of the events): one plan's
 * when the filter names it, else every plan's (of a repository when named). Usage is never stored twice.
 */
@Injectable()
export class UsageLedgerReader {
  constructor(@Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore) {}

  async entries(filter: LedgerFilter): Promise<LedgerEntry[]> {
    const plans = filter.planId ? [await this.plan(filter.planId)] : await this.plans(filter.repository);
    const all: LedgerEntry[] = [];
    for (const p of plans) {
      const history = (await this.readModels.getHistory(p.id)) ?? [];
      all.push(...ledgerEntries({ planId: p.id, repository: p.repository }, history));
    }
    return filterLedger(all, filter);
  }

  private async plan(id: string): Promise<PlanSummary> {
    const plan = await this.readModels.getPlan(id);
    if (!plan) throw new PlanNotFoundError(id);
    return plan;
  }

  private async plans(repository: string | undefined): Promise<PlanSummary[]> {
    const out: PlanSummary[] = [];
    for await (const p of allPlans(this.readModels, repository)) out.push(p);
    return out;
  }
}

/** Plans read for the expected cost of a first turn: the most recently updated ones are enough. */
const RECENT_PLANS = 50;

/** The typical spend of one turn in the most recent plans' ledgers (SessionService's `turnEstimate`). */
export async function typicalTurnFromLedger(readModels: ReadModelStore): Promise<Spend | null> {
  const entries: LedgerEntry[] = [];
  let seen = 0;
  for await (const p of allPlans(readModels)) {
    const history = (await readModels.getHistory(p.id)) ?? [];
    entries.push(...ledgerEntries({ planId: p.id, repository: p.repository }, history));
    if (++seen >= RECENT_PLANS) break;
  }
  return typicalTurnSpend(entries);
}
