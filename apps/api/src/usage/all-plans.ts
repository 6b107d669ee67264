import type { PlanSummary, ReadModelStore } from '@chunkwise/read-models';

const PAGE = 1000;

/** Every plan in the read models (archived too), of one repository when named, page by page. */
export async function* allPlans(
  readModels: ReadModelStore,
  repository?: string,
): AsyncGenerator<PlanSummary> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await readModels.listPlans({ repository, includeArchived: true, limit: PAGE, offset });
    yield* page;
    if (page.length < PAGE) return;
  }
}
