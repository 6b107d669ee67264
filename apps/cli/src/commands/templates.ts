import { Command, InvalidArgumentError } from 'commander';
import type { TemplateParameter, TemplateSummary, TemplateVersion } from '@chunkwise/domain';
import type { ApiClient } from '../api-client';
import { contextOf, type Deps } from '../context';
import { printJson, table } from '../output';
import { parseNonNegativeInt } from '../parse';

type Template = TemplateVersion;

/** The template routes of the API (docs/templates.md). */
export const templateApi = (client: ApiClient) => ({
  list: () => client.request<{ templates: TemplateSummary[] }>('GET', '/templates'),
  get: (name: string, version?: number) =>
    client.request<Template>('GET', `/templates/${encodeURIComponent(name)}`, {
      query: { version: version === undefined ? undefined : String(version) },
    }),
  versions: (name: string) =>
    client.request<{
      name: string;
      versions: Array<{ version: number; title: string; savedAt: string; source: { kind: string } }>;
    }>('GET', `/templates/${encodeURIComponent(name)}/versions`),
  createPlan: (
    name: string,
    body: { params: Record<string, string>; version?: number; repository?: string },
  ) =>
    client.request<{ id: string; revision: number; template: { name: string; version: number } }>(
      'POST',
      `/templates/${encodeURIComponent(name)}/plans`,
      { body: { json: body }, headers: { 'x-chunkwise-source': 'cli' } },
    ),
  savePlan: (planId: string, body: Record<string, unknown>) =>
    client.request<Template>('POST', `/plans/${encodeURIComponent(planId)}/template`, {
      body: { json: body },
    }),
});

/** commander collector of repeated `--param key=value` options. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value (e.g. --param resource=invoice).');
  const key = value.slice(0, at).trim();
  if (key in previous) throw new InvalidArgumentError(`${key} is given twice.`);
  return { ...previous, [key]: value.slice(at + 1) };
}

const parameterLine = (p: TemplateParameter) =>
  `  ${p.name}${p.required ? ' (required)' : ''}${p.description ? ` — ${p.description}` : ''}` +
  (p.default !== undefined
    ? ` [default: ${p.default}]`
    : p.example !== undefined
      ? ` [e.g. ${p.example}]`
      : '');

/** `chunkwise plans new --template NAME --param key=value …`: a draft plan from a template. */
export function plansNewCommand(deps: Deps): Command {
  return new Command('new')
    .description('create a draft plan from a template with parameters (see `chunkwise templates list`)')
    .requiredOption('-t, --template <name>', 'template name')
    .option('-p, --param <key=value>', 'a parameter value (repeatable)', collectParam, {})
    .option('--version <n>', 'the template version (default: the latest)', parseNonNegativeInt)
    .option('--repo <repository>', "the plan's repository (a path or repo:<id>) instead of the template's")
    .action(
      async (
        opts: { template: string; param: Record<string, string>; version?: number; repo?: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd, deps);
        const created = await templateApi(ctx.client()).createPlan(opts.template, {
          params: opts.param,
          ...(opts.version !== undefined ? { version: opts.version } : {}),
          ...(opts.repo ? { repository: opts.repo } : {}),
        });
        if (ctx.json) return printJson(ctx.io, created);
        ctx.io.out(
          `created plan ${created.id} (revision ${created.revision}) from template ${created.template.name} version ${created.template.version}`,
        );
        ctx.io.out(`  show it with: chunkwise plans show ${created.id}`);
      },
    );
}

/** `chunkwise templates list | show | versions | save`. */
export function templatesCommand(deps: Deps): Command {
  const templates = new Command('templates').description(
    'plan templates with parameters: list, show, versions, save a plan as a template',
  );

  templates
    .command('list')
    .alias('ls')
    .description('built-in and saved templates, each at its latest version')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const { templates: list } = await templateApi(ctx.client()).list();
      if (ctx.json) return printJson(ctx.io, { templates: list });
      ctx.io.out(
        table(list, [
          { header: 'NAME', value: (t) => t.name },
          { header: 'VERSION', value: (t) => (t.version === 0 ? 'built-in' : String(t.version)) },
          { header: 'PARAMETERS', value: (t) => t.parameters.map((p) => p.name).join(', ') },
          { header: 'TITLE', value: (t) => t.title },
        ]).join('\n'),
      );
    });

  templates
    .command('show')
    .description('a template: its parameters and plan document')
    .argument('<name>', 'template name')
    .option('--version <n>', 'this version (0: the built-in one)', parseNonNegativeInt)
    .action(async (name: string, opts: { version?: number }, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const t = await templateApi(ctx.client()).get(name, opts.version);
      if (ctx.json) return printJson(ctx.io, t);
      const tasks = (t.document.tasks as Array<{ id?: string; title?: string }> | undefined) ?? [];
      ctx.io.out(
        [
          `${t.name} — ${t.title} (version ${t.version}${t.version === 0 ? ', built-in' : ''})`,
          ...(t.description ? [t.description] : []),
          'Parameters:',
          ...(t.parameters.length ? t.parameters.map(parameterLine) : ['  (none)']),
          `Plan: ${String(t.document.title ?? '')}`,
          ...tasks.map((task) => `  ${task.id ?? '?'}  ${task.title ?? ''}`),
          `Create a plan: chunkwise plans new --template ${t.name}${t.parameters
            .filter((p) => p.required)
            .map((p) => ` --param ${p.name}=…`)
            .join('')}`,
        ].join('\n'),
      );
    });

  templates
    .command('versions')
    .description('every version of a template, oldest first')
    .argument('<name>', 'template name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const answer = await templateApi(ctx.client()).versions(name);
      if (ctx.json) return printJson(ctx.io, answer);
      ctx.io.out(
        table(answer.versions, [
          { header: 'VERSION', value: (v) => String(v.version) },
          { header: 'SOURCE', value: (v) => v.source.kind },
          { header: 'SAVED', value: (v) => (v.version === 0 ? '' : v.savedAt) },
          { header: 'TITLE', value: (v) => v.title },
        ]).join('\n'),
      );
    });

  templates
    .command('save')
    .description("save a plan's current content as a template (a new version when the name exists)")
    .argument('<plan>', 'plan id')
    .requiredOption('-n, --name <name>', 'template name (lowercase letters, digits, "-")')
    .option(
      '-p, --param <key=text>',
      'mark a literal text of the plan as the parameter key (repeatable)',
      collectParam,
      {},
    )
    .option('--title <title>', "the template's title (default: the plan's)")
    .option(
      '--expected-version <n>',
      'the version this save is based on (stale: refused)',
      parseNonNegativeInt,
    )
    .action(
      async (
        planId: string,
        opts: { name: string; param: Record<string, string>; title?: string; expectedVersion?: number },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd, deps);
        const saved = await templateApi(ctx.client()).savePlan(planId, {
          name: opts.name,
          params: opts.param,
          ...(opts.title ? { title: opts.title } : {}),
          ...(opts.expectedVersion !== undefined ? { expectedVersion: opts.expectedVersion } : {}),
        });
        if (ctx.json) return printJson(ctx.io, saved);
        ctx.io.out(`saved template ${saved.name} version ${saved.version} from plan ${planId}`);
        ctx.io.out(['Parameters:', ...saved.parameters.map(parameterLine)].join('\n'));
      },
    );

  return templates;
}
