import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  defineTemplate,
  renderTemplate,
  TEMPLATE_NAME_PATTERN,
  templateAggregate,
  templateBodyFromPlan,
  templateIndexAggregate,
  TemplateNotFoundError,
  type RenderedTemplate,
  type TemplateCommand,
  type TemplateEvent,
  type TemplateSource,
  type TemplateState,
  type TemplateSummary,
  type TemplateVersion,
} from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import { parse as parseYaml } from 'yaml';
import { CommandHandler, type CommandOptions } from './command-handler';
import { PlanNotFoundError, StaleRevisionError } from './errors';
import type { PlanCommandService } from './plan-command-service';

/** A save based on a version that is no longer the latest (409, naming the latest version). */
export class StaleTemplateVersionError extends StaleRevisionError {
  constructor(name: string, expected: number, current: number) {
    super(name, expected, current);
    this.message = `template ${name} is at version ${current}, not ${expected}; reload and retry`;
    this.name = 'StaleTemplateVersionError';
  }
}

export interface TemplateVersionInfo {
  version: number;
  title: string;
  savedAt: string;
  source: TemplateSource;
}

export interface SaveTemplateOptions {
  /** The version the save is based on (0: a new template, or over the built-in one). */
  expectedVersion?: number;
  actor?: string;
  correlationId?: string;
}

export interface SavePlanAsTemplateRequest {
  name: string;
  title?: string;
  description?: string;
  /** Parameter → the literal text of the plan it replaces. */
  params?: Record<string, string>;
  /** Descriptions of parameters, by name. */
  descriptions?: Record<string, string>;
}

const BUILTIN_SAVED_AT = '1970-01-01T00:00:00.000Z';

/** The `templates/` directory of the package (next to package.json), from src/ or dist/. */
export function builtinTemplatesDir(from = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Reads and checks the built-in templates (`*.yaml` of the directory); a bad file is an error at start. */
export function loadBuiltinTemplates(dir: string | null = builtinTemplatesDir()): TemplateVersion[] {
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      let definition;
      try {
        definition = defineTemplate(parseYaml(readFileSync(path.join(dir, file), 'utf8')));
      } catch (e) {
        throw new Error(`built-in template ${file}: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
        });
      }
      if (`${definition.name}.yaml` !== file)
        throw new Error(
          `built-in template ${file} is named ${definition.name}; the file must be ${definition.name}.yaml`,
        );
      return { ...definition, version: 0, savedAt: BUILTIN_SAVED_AT, source: { kind: 'builtin' } };
    });
}

/**
 * Plan templates: the built-ins (version 0, from files) and saved ones, each on its stream
 * `template-<name>` (see templateAggregate), listed through the `templates` index stream. Saves go
 * through the write path; rendering is the domain's renderTemplate. A plan is created from a
 * template by the plan write path (the caller issues CreatePlan with the rendered document).
 */
export class TemplateService {
  private readonly templates: CommandHandler<TemplateCommand, TemplateEvent, TemplateState | null>;
  private readonly index: CommandHandler<
    Parameters<typeof templateIndexAggregate.decide>[0],
    Parameters<typeof templateIndexAggregate.evolve>[1],
    string[]
  >;
  private readonly builtins: Map<string, TemplateVersion>;

  constructor(
    store: EventStore,
    private readonly plans: PlanCommandService,
    builtins: TemplateVersion[] = loadBuiltinTemplates(),
  ) {
    const notFound = (name: string) => new TemplateNotFoundError(name);
    this.templates = new CommandHandler(store, templateAggregate, { notFound });
    this.index = new CommandHandler(store, templateIndexAggregate, { notFound });
    this.builtins = new Map(builtins.map((b) => [b.name, b]));
  }

  private async saved(name: string): Promise<TemplateVersion[]> {
    if (!TEMPLATE_NAME_PATTERN.test(name)) return [];
    return (await this.templates.load(name)).state?.versions ?? [];
  }

  /** Every version of a template, the built-in one (0) first. */
  async versions(name: string): Promise<TemplateVersion[]> {
    const builtin = this.builtins.get(name);
    const all = [...(builtin ? [builtin] : []), ...(await this.saved(name))];
    if (!all.length) throw new TemplateNotFoundError(name);
    return all;
  }

  /** The latest version, or the one asked for. */
  async get(name: string, version?: number): Promise<TemplateVersion> {
    const all = await this.versions(name);
    if (version === undefined) return all[all.length - 1];
    const found = all.find((v) => v.version === version);
    if (!found) throw new TemplateNotFoundError(name, version);
    return found;
  }

  async list(): Promise<TemplateSummary[]> {
    const { state: names } = await this.index.load('');
    const all = new Set([...this.builtins.keys(), ...names]);
    const latest = await Promise.all([...all].map((name) => this.get(name).catch(() => null)));
    return latest
      .filter((t): t is TemplateVersion => t !== null)
      .map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        parameters: t.parameters,
        version: t.version,
        builtin: this.builtins.has(t.name),
        savedAt: t.savedAt,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Saves a new version of a template (the definition is checked by the domain). */
  async save(
    definition: unknown,
    source: Exclude<TemplateSource, { kind: 'builtin' }>,
    options: SaveTemplateOptions = {},
  ): Promise<TemplateVersion> {
    const template = defineTemplate(definition);
    const { expectedVersion } = options;
    const current = (await this.saved(template.name)).length;
    // A first save (nothing stored yet) is based on version 0: the built-in template or nothing.
    if (expectedVersion !== undefined && current === 0 && expectedVersion !== 0)
      throw new StaleTemplateVersionError(template.name, expectedVersion, 0);
    const commandOptions: CommandOptions<TemplateEvent> = {
      expectedRevision: expectedVersion,
      actor: options.actor,
      correlationId: options.correlationId,
    };
    let result;
    try {
      result = await this.templates.execute(
        template.name,
        { type: 'SaveTemplate', template, savedAt: new Date().toISOString(), source },
        commandOptions,
      );
    } catch (e) {
      if (e instanceof StaleRevisionError && !(e instanceof StaleTemplateVersionError))
        throw new StaleTemplateVersionError(template.name, e.expectedRevision, e.currentRevision);
      throw e;
    }
    await this.index.execute(
      '',
      { type: 'IndexTemplate', name: template.name },
      { eventId: () => `templates-index-${template.name}`, actor: options.actor },
    );
    return result.state!.versions.at(-1)!;
  }

  /**
   * Saves a plan's current content as a template: `params` marks literals of the plan's texts as
   * parameters, and placeholders the plan already has are declared too.
   */
  async saveFromPlan(
    planId: string,
    request: SavePlanAsTemplateRequest,
    options: SaveTemplateOptions = {},
  ): Promise<TemplateVersion> {
    const { state } = await this.plans.load(planId);
    if (!state.exists) throw new PlanNotFoundError(planId);
    const { document, parameters } = templateBodyFromPlan(state.content, request.params ?? {});
    return this.save(
      {
        name: request.name,
        title: request.title ?? state.content.title,
        description: request.description ?? state.content.description.slice(0, 5000),
        parameters: parameters.map((p) => ({
          ...p,
          description: request.descriptions?.[p.name] ?? p.description,
        })),
        document,
      },
      { kind: 'plan', planId, planRevision: state.revision },
      options,
    );
  }

  /** Renders a template (latest version, or `version`) with `params`: the plan document to create. */
  async render(
    name: string,
    params: Record<string, unknown>,
    version?: number,
  ): Promise<RenderedTemplate & { template: TemplateVersion }> {
    const template = await this.get(name, version);
    return { ...renderTemplate(template, params), template };
  }
}
