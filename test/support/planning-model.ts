/**
 * Helpers of the scripted planning models that the planning suites give FakeAnthropic: the plan the
 * server sent as context, read back the way a model would read it.
 */
import type { FakeRequest } from './fake-anthropic';

/** A plan document as the model writes it (submit_plan, submit_revision). */
export type PlanDoc = { title: string; description: string; chunks: any[]; tasks: any[] };

/** The plan the server sent as context (`<current_plan>` in the system blocks), as the model would read it. */
export function currentPlan(req: FakeRequest): PlanDoc {
  const text = (req.body.system as Array<{ text: string }>).map((b) => b.text).join('\n');
  const m = /<current_plan>\n([\s\S]*?)\n<\/current_plan>/.exec(text);
  if (!m) throw new Error('no <current_plan> in the request');
  const doc = JSON.parse(m[1]) as PlanDoc;
  return {
    title: doc.title,
    description: doc.description ?? '',
    chunks: doc.chunks.map((c) => ({
      key: c.key,
      title: c.title,
      description: c.description ?? '',
      executionMode: c.executionMode ?? 'sequential',
    })),
    tasks: doc.tasks.map((t) => ({
      id: String(t.id),
      chunk: t.chunk,
      title: t.title,
      description: t.description ?? '',
      acceptance: t.acceptance?.length ? t.acceptance : ['done'],
      dependsOn: t.dependsOn ?? [],
      canRunInParallel: t.canRunInParallel ?? false,
    })),
  };
}
