import { Inject, Injectable } from '@nestjs/common';
import { PlanNotFoundError } from '@chunkwise/application';
import { executionFacts, type ExecutionFacts, type PlanHistoryInput } from '@chunkwise/domain';
import type { PlanDetail, ReadModelStore } from '@chunkwise/read-models';
import { READ_MODEL_STORE } from '../infrastructure/tokens';
import { allPlans } from './all-plans';

/** The facts of past sessions (stats, estimates), read from the plan read models and their histories. */
@Injectable()
export class ExecutionHistoryReader {
  constructor(@Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore) {}

  /** Every plan's facts (of one repository when named), with the plan's repository. */
  async facts(repository?: string): Promise<Array<{ repository: string | null; facts: ExecutionFacts }>> {
    const out: Array<{ repository: string | null; facts: ExecutionFacts }> = [];
    for await (const summary of allPlans(this.readModels, repository)) {
      const plan = await this.readModels.getPlan(summary.id);
      const input = plan ? await this.input(plan) : null;
      if (plan && input) out.push({ repository: plan.repository, facts: executionFacts(input) });
    }
    return out;
  }

  async plan(id: string): Promise<PlanDetail> {
    const plan = await this.readModels.getPlan(id);
    if (!plan) throw new PlanNotFoundError(id);
    return plan;
  }

  private async input(plan: PlanDetail): Promise<PlanHistoryInput | null> {
    const events = await this.readModels.getHistory(plan.id);
    if (!events) return null;
    return { planId: plan.id, repository: plan.repository, content: contentOf(plan), events };
  }
}

export const contentOf = (plan: PlanDetail): PlanHistoryInput['content'] => ({
  chunks: plan.chunks.map(({ tasks: _t, stats: _s, ...chunk }) => chunk),
  tasks: plan.chunks.flatMap((c) => c.tasks),
});
