import { z } from 'zod';
import type { Aggregate } from './aggregate';
import { parsePlanDocument, planContentToDocument } from './document';
import { ValidationError, type ValidationIssue } from './errors';
import { jsonBoundsIssues, type JsonBounds } from './json-bounds';
import type { PlanContent } from './schemas';
import { zodIssues } from './zod-issues';

/**
 * Plan templates: a plan document whose texts carry `{{param}}` placeholders, with the parameters
 * declared (name, description, required, default, example). Rendering substitutes plain text into
 * every string of the document except its execution settings; nothing is evaluated. A rendered
 * template must be a valid plan document, which the plan's own creation path checks again.
 *
 * Each template is versioned on its own stream (`template-<name>`): every save is a
 * `TemplateVersionSaved` event, and every version stays readable. Built-in templates are version 0.
 */

export const TEMPLATE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const TEMPLATE_PARAM_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Longest parameter value (characters). */
export const MAX_TEMPLATE_PARAM_VALUE = 1000;
export const MAX_TEMPLATE_PARAMS = 50;
export const TEMPLATE_INDEX_STREAM = 'templates';
export const templateStreamId = (name: string) => `template-${name}`;

/** `{{ name }}`: a parameter name between double braces, spaces allowed inside. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** Control characters other than tab and newline are refused in values. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
/** A template body is smaller than any request: 4 MB, 32 levels. */
const TEMPLATE_BOUNDS: JsonBounds = { maxDepth: 32, maxNodes: 200_000, maxSize: 4 * 1024 * 1024 };

export const templateNameSchema = z
  .string()
  .regex(
    TEMPLATE_NAME_PATTERN,
    'template name: lowercase letters, digits and "-", starting with a letter or digit, at most 63',
  );

const paramValue = z.string().max(MAX_TEMPLATE_PARAM_VALUE);

export const templateParameterSchema = z
  .object({
    name: z
      .string()
      .regex(TEMPLATE_PARAM_PATTERN, 'parameter name: letters, digits and "_", not starting with a digit'),
    description: z.string().max(500).default(''),
    /** Defaults to true unless a default is given. */
    required: z.boolean().optional(),
    default: paramValue.optional(),
    /** A value shown to users (e.g. the literal a saved plan had). */
    example: paramValue.optional(),
  })
  .strict();

export const templateDefinitionSchema = z
  .object({
    name: templateNameSchema,
    title: z.string().min(1).max(200),
    description: z.string().max(5000).default(''),
    parameters: z.array(templateParameterSchema).max(MAX_TEMPLATE_PARAMS).default([]),
    /** A plan document (see PlanDocument) whose texts may contain `{{param}}` placeholders. */
    document: z.record(z.string(), z.unknown()),
  })
  .strict();

export type TemplateParameterInput = z.input<typeof templateParameterSchema>;
export interface TemplateParameter {
  name: string;
  description: string;
  required: boolean;
  default?: string;
  example?: string;
}
export type TemplateDefinitionInput = z.input<typeof templateDefinitionSchema>;
export interface TemplateDefinition {
  name: string;
  title: string;
  description: string;
  parameters: TemplateParameter[];
  document: Record<string, unknown>;
}

export type TemplateSource =
  { kind: 'builtin' } | { kind: 'api' } | { kind: 'plan'; planId: string; planRevision: number };

/** One stored version of a template. */
export interface TemplateVersion extends TemplateDefinition {
  /** 0 for a built-in template, 1.. for saved ones. */
  version: number;
  savedAt: string;
  source: TemplateSource;
}

/** One entry of the template list: the latest version, without its document. */
export type TemplateSummary = Pick<
  TemplateVersion,
  'name' | 'title' | 'description' | 'parameters' | 'version' | 'savedAt'
> & {
  /** Whether a built-in template of this name exists (its version 0). */
  builtin: boolean;
};

export class TemplateNotFoundError extends Error {
  constructor(
    readonly templateName: string,
    readonly version?: number,
  ) {
    super(
      version === undefined
        ? `template ${templateName} not found (GET /api/templates lists them)`
        : `template ${templateName} has no version ${version}`,
    );
    this.name = 'TemplateNotFoundError';
  }
}

// ---- placeholders and rendering (pure) ----

/** Maps every string of a JSON value (depth bounded by the caller), keeping its shape. */
function mapStrings(value: unknown, path: string, fn: (s: string, path: string) => string): unknown {
  if (typeof value === 'string') return fn(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, `${path}[${i}]`, fn));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mapStrings(v, path ? `${path}.${k}` : k, fn)]),
    );
  return value;
}

/** Applies `fn` to every string of the document but its execution settings (never templated). */
function mapDocumentTexts(
  document: Record<string, unknown>,
  fn: (s: string, path: string) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(document)) out[k] = k === 'execution' ? v : mapStrings(v, k, fn);
  return out;
}

/** The parameter names a text uses, in order of first use. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Every placeholder of a document with the first path it appears at. */
export function documentPlaceholders(document: Record<string, unknown>): Map<string, string> {
  const found = new Map<string, string>();
  mapDocumentTexts(document, (s, path) => {
    for (const name of placeholdersIn(s)) if (!found.has(name)) found.set(name, path);
    return s;
  });
  return found;
}

const normalizeParameter = (p: z.output<typeof templateParameterSchema>): TemplateParameter => ({
  name: p.name,
  description: p.description,
  required: p.required ?? p.default === undefined,
  ...(p.default !== undefined ? { default: p.default } : {}),
  ...(p.example !== undefined ? { example: p.example } : {}),
});

function valueIssues(name: string, value: string, path: string): ValidationIssue[] {
  if (value.length > MAX_TEMPLATE_PARAM_VALUE)
    return [
      {
        code: 'invalid_parameter',
        path,
        message: `parameter ${name}: at most ${MAX_TEMPLATE_PARAM_VALUE} characters`,
      },
    ];
  if (CONTROL.test(value))
    return [
      {
        code: 'invalid_parameter',
        path,
        message: `parameter ${name}: control characters are not allowed (tab and newline are)`,
      },
    ];
  return [];
}

/** Substitutes values for placeholders in one pass (a value's own braces are never expanded). */
function substitute(
  document: Record<string, unknown>,
  values: Record<string, string>,
): Record<string, unknown> {
  return mapDocumentTexts(document, (s) =>
    s.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole)),
  );
}

/**
 * Checks a template definition and returns it normalised, or throws a ValidationError naming every
 * problem: the shape, placeholders in execution settings, placeholders naming undeclared parameters,
 * declared parameters never used, duplicates, and whether a sample rendering (defaults, else
 * examples, else the parameter's name) is a valid plan document.
 */
export function defineTemplate(input: unknown): TemplateDefinition {
  const parsed = templateDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error), 'invalid template');
  const { document } = parsed.data;
  const parameters = parsed.data.parameters.map(normalizeParameter);
  const issues: ValidationIssue[] = jsonBoundsIssues(document, 'document', TEMPLATE_BOUNDS);
  if (issues.length) throw new ValidationError(issues, 'invalid template');

  const declared = new Map<string, TemplateParameter>();
  parameters.forEach((p, i) => {
    if (declared.has(p.name))
      issues.push({
        code: 'schema',
        path: `parameters[${i}].name`,
        message: `parameter ${p.name} is declared twice`,
      });
    declared.set(p.name, p);
    for (const [field, v] of [
      ['default', p.default],
      ['example', p.example],
    ] as const)
      if (v !== undefined) issues.push(...valueIssues(p.name, v, `parameters[${i}].${field}`));
  });
  if (document.execution !== undefined && JSON.stringify(document.execution).match(PLACEHOLDER))
    issues.push({
      code: 'undeclared_placeholder',
      path: 'document.execution',
      message: 'execution settings are never templated: remove the {{…}} placeholders there',
    });
  const used = documentPlaceholders(document);
  for (const [name, path] of used)
    if (!declared.has(name))
      issues.push({
        code: 'undeclared_placeholder',
        path: `document.${path}`,
        message: `placeholder {{${name}}} at ${path} names no declared parameter`,
      });
  for (const p of parameters)
    if (!used.has(p.name))
      issues.push({
        code: 'unknown_parameter',
        path: 'parameters',
        message: `parameter ${p.name} is declared but no text uses {{${p.name}}}`,
      });
  if (issues.length) throw new ValidationError(issues, 'invalid template');

  const sample = Object.fromEntries(parameters.map((p) => [p.name, p.default ?? p.example ?? p.name]));
  const rendered = parsePlanDocument(substitute(document, sample));
  if (!rendered.ok)
    throw new ValidationError(
      rendered.issues.map((i) => ({ ...i, path: i.path ? `document.${i.path}` : undefined })),
      'invalid template: its plan document is invalid even with sample values',
    );
  return {
    name: parsed.data.name,
    title: parsed.data.title,
    description: parsed.data.description,
    parameters,
    document,
  };
}

export interface RenderedTemplate {
  /** The plan document to create (what POST /api/plans would take). */
  document: Record<string, unknown>;
  /** The parsed content, for previews. */
  content: PlanContent;
  /** Every parameter's value, defaults included. */
  values: Record<string, string>;
}

/**
 * Renders a template with `params`: every required parameter must be given (non-empty), none may be
 * unknown, values are plain text (bounded, no control characters). The result must be a valid
 * plan document; every problem is reported at once as a ValidationError.
 */
export function renderTemplate(
  template: Pick<TemplateDefinition, 'name' | 'parameters' | 'document'>,
  params: Readonly<Record<string, unknown>>,
): RenderedTemplate {
  const issues: ValidationIssue[] = [];
  const declared = new Map(template.parameters.map((p) => [p.name, p]));
  // No prototype: a parameter may be called `constructor` or `__proto__`.
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(params)) {
    const p = declared.get(name);
    if (!p) {
      issues.push({
        code: 'unknown_parameter',
        path: `params.${name}`,
        message: `template ${template.name} has no parameter ${name} (it has: ${[...declared.keys()].join(', ') || 'none'})`,
      });
    } else if (typeof value !== 'string') {
      issues.push({
        code: 'invalid_parameter',
        path: `params.${name}`,
        message: `parameter ${name}: the value must be text`,
      });
    } else {
      const bad = valueIssues(name, value, `params.${name}`);
      issues.push(...bad);
      if (!bad.length && value !== '') values[name] = value;
    }
  }
  for (const p of template.parameters) {
    if (Object.hasOwn(values, p.name)) continue;
    if (p.default !== undefined) values[p.name] = p.default;
    else if (p.required && !issues.some((i) => i.path === `params.${p.name}`))
      issues.push({
        code: 'missing_parameter',
        path: `params.${p.name}`,
        message: `missing parameter ${p.name}${p.description ? ` (${p.description})` : ''}`,
      });
    else values[p.name] = '';
  }
  if (issues.length) throw new ValidationError(issues, `cannot render template ${template.name}`);
  const document = substitute(template.document, values);
  const parsed = parsePlanDocument(document);
  if (!parsed.ok)
    throw new ValidationError(parsed.issues, `template ${template.name} rendered an invalid plan`);
  return { document, content: parsed.content, values: { ...values } };
}

type Part = { text: string; placeholder: boolean };

/** The text cut into plain parts and the placeholders it has already. */
function partsOf(text: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    parts.push({ text: text.slice(at, m.index), placeholder: false }, { text: m[0], placeholder: true });
    at = m.index + m[0].length;
  }
  parts.push({ text: text.slice(at), placeholder: false });
  return parts;
}

/**
 * Replaces each literal (longest first) by its placeholder in the plain parts of `text`: a part
 * already a placeholder is never touched, so literals never land inside one. Adds the names of
 * the literals found to `found`.
 */
function markLiterals(text: string, ordered: ReadonlyArray<[string, string]>, found: Set<string>): string {
  let parts = partsOf(text);
  for (const [name, literal] of ordered) {
    parts = parts.flatMap((part) => {
      if (part.placeholder || !part.text.includes(literal)) return [part];
      found.add(name);
      return part.text
        .split(literal)
        .flatMap((plain, i) => [
          ...(i === 0 ? [] : [{ text: `{{${name}}}`, placeholder: true }]),
          { text: plain, placeholder: false },
        ]);
    });
  }
  return parts.map((p) => p.text).join('');
}

/**
 * A plan's content as a template body: task progress dropped (every task pending again), and each
 * literal of `marks` (parameter → the text it stands for) replaced by `{{parameter}}` in every
 * text but the execution settings; longer literals first, so one inside another stays whole.
 * Placeholders already written in the plan are declared too. Returns the parameters (declared
 * ones first, with the literal as their example) and the document.
 */
export function templateBodyFromPlan(
  content: PlanContent,
  marks: Readonly<Record<string, string>>,
): { document: Record<string, unknown>; parameters: TemplateParameter[] } {
  const issues: ValidationIssue[] = [];
  for (const [name, literal] of Object.entries(marks)) {
    if (!TEMPLATE_PARAM_PATTERN.test(name))
      issues.push({
        code: 'invalid_parameter',
        path: `params.${name}`,
        message: `parameter name ${name}: letters, digits and "_", not starting with a digit`,
      });
    else if (literal.length < 2)
      issues.push({
        code: 'invalid_parameter',
        path: `params.${name}`,
        message: `parameter ${name}: the text it replaces must be at least 2 characters`,
      });
    else issues.push(...valueIssues(name, literal, `params.${name}`));
  }
  if (issues.length) throw new ValidationError(issues, 'cannot make a template of the plan');

  const plain = planContentToDocument(content) as Record<string, unknown>;
  const document = {
    ...plain,
    tasks: (plain.tasks as Array<Record<string, unknown>>).map(({ status: _status, ...t }) => t),
  };
  const found = new Set<string>();
  const ordered = Object.entries(marks).sort(([, a], [, b]) => b.length - a.length);
  const marked = mapDocumentTexts(document, (text) => markLiterals(text, ordered, found));
  const missing = Object.keys(marks).filter((name) => !found.has(name));
  if (missing.length)
    throw new ValidationError(
      missing.map((name) => ({
        code: 'invalid_parameter' as const,
        path: `params.${name}`,
        message: `parameter ${name}: "${marks[name]}" does not appear in the plan's texts`,
      })),
      'cannot make a template of the plan',
    );
  const parameters: TemplateParameter[] = Object.entries(marks).map(([name, literal]) => ({
    name,
    description: '',
    required: true,
    example: literal,
  }));
  for (const name of documentPlaceholders(marked).keys())
    if (!Object.hasOwn(marks, name)) parameters.push({ name, description: '', required: true });
  return { document: marked, parameters };
}

// ---- one template: stream `template-<name>` ----

export interface TemplateState {
  name: string;
  /** Saved versions, version 1 first. */
  versions: TemplateVersion[];
}

export type TemplateCommand = {
  type: 'SaveTemplate';
  template: TemplateDefinition;
  savedAt: string;
  source: Exclude<TemplateSource, { kind: 'builtin' }>;
};
export type TemplateEvent = { type: 'TemplateVersionSaved'; data: TemplateVersion };

const sameDefinition = (a: TemplateDefinition, b: TemplateDefinition) =>
  JSON.stringify([a.title, a.description, a.parameters, a.document]) ===
  JSON.stringify([b.title, b.description, b.parameters, b.document]);

/**
 * Saving checks the definition (defineTemplate) and adds the next version; saving what the latest
 * version holds already adds nothing. The revision clients base a save on is the latest version
 * (a stale one is refused by the write path).
 */
export const templateAggregate: Aggregate<TemplateCommand, TemplateEvent, TemplateState | null> = {
  initialState: () => null,
  evolve: (state, event) =>
    event.type === 'TemplateVersionSaved'
      ? { name: event.data.name, versions: [...(state?.versions ?? []), event.data] }
      : state,
  decide: (command, state) => {
    const template = defineTemplate(command.template);
    const latest = state?.versions.at(-1);
    if (latest && sameDefinition(latest, template)) return [];
    return [
      {
        type: 'TemplateVersionSaved',
        data: {
          ...template,
          version: (latest?.version ?? 0) + 1,
          savedAt: command.savedAt,
          source: command.source,
        },
      },
    ];
  },
  streamId: templateStreamId,
  exists: (state) => state !== null,
  creates: () => true,
  revision: (state) => state?.versions.at(-1)?.version ?? 0,
};

// ---- the index of saved templates: stream `templates` ----

export type TemplateIndexCommand = { type: 'IndexTemplate'; name: string };
export type TemplateIndexEvent = { type: 'TemplateIndexed'; data: { name: string } };

export const templateIndexAggregate: Aggregate<TemplateIndexCommand, TemplateIndexEvent, string[]> = {
  initialState: () => [],
  evolve: (names, event) =>
    event.type === 'TemplateIndexed' && !names.includes(event.data.name)
      ? [...names, event.data.name]
      : names,
  decide: (command, names) =>
    names.includes(command.name) ? [] : [{ type: 'TemplateIndexed', data: { name: command.name } }],
  streamId: () => TEMPLATE_INDEX_STREAM,
  exists: (names) => names.length > 0,
  creates: () => true,
  revision: () => 0,
};
