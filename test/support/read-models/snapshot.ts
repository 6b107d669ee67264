/** Test support: everything a read-model store serves, for deep comparisons. */
import type { HistoryEntry, PlanDetail, PlanSummary, ReadModelStore } from '@chunkwise/read-models';

export interface ReadModelSnapshot {
  checkpoint: number;
  list: PlanSummary[];
  plans: Record<string, { detail: PlanDetail | null; history: HistoryEntry[] | null }>;
}

export async function snapshotOf(store: ReadModelStore): Promise<ReadModelSnapshot> {
  const list = await store.listPlans({ includeArchived: true });
  const plans: ReadModelSnapshot['plans'] = {};
  for (const row of list) {
    plans[row.id] = { detail: await store.getPlan(row.id), history: await store.getHistory(row.id) };
  }
  return { checkpoint: await store.getCheckpoint(), list, plans };
}
