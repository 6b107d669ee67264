import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';

export type TemplateSummary = Schemas['TemplateSummary'];
export type TemplateParameter = TemplateSummary['parameters'][number];

export const templateKeys = { list: () => ['templates'] as const };

/** GET /api/templates: built-in and saved templates, each at its latest version. */
export const templatesQuery = () =>
  queryOptions({
    queryKey: templateKeys.list(),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/templates', { signal })).templates,
  });

/** Renders a template with parameter values and creates a draft plan (POST /api/templates/:name/plans). */
export async function createPlanFromTemplate(
  name: string,
  params: Record<string, string>,
  repository: string | undefined,
) {
  return unwrap(
    await api.POST('/api/templates/{name}/plans', {
      params: { path: { name } },
      body: { params, ...(repository ? { repository } : {}) },
    }),
  );
}

/** Saves a plan's current content as a template (POST /api/plans/:id/template). */
export async function savePlanAsTemplate(planId: string, name: string, params: Record<string, string>) {
  return unwrap(
    await api.POST('/api/plans/{id}/template', {
      params: { path: { id: planId } },
      body: { name, params },
    }),
  );
}

/** `key=text` lines (blank lines ignored) → a map; the lines that are not `key=text` are returned too. */
export function parseMarks(text: string): { marks: Record<string, string>; bad: string[] } {
  const marks: Record<string, string> = {};
  const bad: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    if (at <= 0) bad.push(line.trim());
    else marks[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { marks, bad };
}
