import { planContentFromDocument } from './document';
import { ValidationError } from './errors';
import {
  defineTemplate,
  placeholdersIn,
  renderTemplate,
  templateAggregate,
  templateBodyFromPlan,
  type TemplateCommand,
  type TemplateDefinition,
  type TemplateState,
} from './template';

const definition = (over: Partial<Record<string, unknown>> = {}) => ({
  name: 'add-thing',
  title: 'Add a thing',
  parameters: [
    { name: 'thing', description: 'what to add' },
    { name: 'dir', default: 'src' },
  ],
  document: {
    title: 'Add {{thing}}',
    description: 'A {{ thing }} in {{dir}}',
    chunks: [{ key: 'C01', title: 'Build {{thing}}' }],
    tasks: [
      {
        id: 'T1',
        chunk: 'C01',
        title: 'Create {{thing}}',
        description: 'write {{dir}}/{{thing}}.txt {{thing}}',
        acceptance: ['{{thing}} exists'],
      },
    ],
    execution: { maxAttempts: 2 },
  },
  ...over,
});

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
};

describe('templates', () => {
  it('finds placeholders, with spaces inside the braces, once each', () => {
    expect(placeholdersIn('{{a}} {{ b }} {{a}} {{1x}} {a} {{#each}}')).toEqual(['a', 'b']);
  });

  it('defines a template: required unless defaulted', () => {
    const t = defineTemplate(definition());
    expect(t.parameters).toEqual([
      { name: 'thing', description: 'what to add', required: true },
      { name: 'dir', description: '', required: false, default: 'src' },
    ]);
  });

  it('refuses undeclared placeholders, unused and duplicate parameters, and placeholders in execution settings', () => {
    const base = definition();
    const issues = issuesOf(() =>
      defineTemplate({
        ...base,
        parameters: [{ name: 'thing' }, { name: 'thing' }, { name: 'unused' }],
        document: { ...base.document, execution: { agent: { type: 'command', argv: ['{{thing}}'] } } },
      }),
    );
    const messages = issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/thing is declared twice/);
    expect(messages).toMatch(/placeholder \{\{dir\}\} at description names no declared parameter/);
    expect(messages).toMatch(/parameter unused is declared but no text uses/);
    expect(messages).toMatch(/execution settings are never templated/);
    expect(issuesOf(() => defineTemplate({ ...base, name: 'Bad Name' }))[0].path).toBe('name');
  });

  it('refuses a template whose document is invalid even with sample values', () => {
    const base = definition();
    const issues = issuesOf(() =>
      defineTemplate({
        ...base,
        document: { ...base.document, tasks: [{ id: 'T1', chunk: 'C02', title: '{{thing}} {{dir}}' }] },
      }),
    );
    expect(issues.some((i) => i.code === 'unknown_chunk')).toBe(true);
  });

  it('renders every text with the values and defaults, never the execution settings', () => {
    const t = defineTemplate(definition());
    const { document, content, values } = renderTemplate(t, { thing: 'widget' });
    expect(values).toEqual({ thing: 'widget', dir: 'src' });
    expect(content.title).toBe('Add widget');
    expect(content.description).toBe('A widget in src');
    expect(content.chunks[0].title).toBe('Build widget');
    expect(content.tasks[0]).toMatchObject({
      title: 'Create widget',
      description: 'write src/widget.txt widget',
      acceptance: ['widget exists'],
    });
    expect(content.execution).toEqual({ maxAttempts: 2 });
    // What the plan write path is given parses to the same content.
    expect(planContentFromDocument(document)).toEqual(content);
  });

  it('substitutes once: a value with braces is kept literally', () => {
    const t = defineTemplate(definition());
    expect(renderTemplate(t, { thing: '{{dir}}' }).content.title).toBe('Add {{dir}}');
  });

  it('takes parameter names that objects have already (constructor, toString) as any other', () => {
    const t = defineTemplate({
      name: 'odd-names',
      title: 'Odd names',
      parameters: [{ name: 'constructor' }, { name: 'toString', default: 'ts' }],
      document: { title: '{{constructor}} {{toString}}', tasks: [{ id: 'T1', chunk: 'C01', title: 't' }] },
    });
    expect(renderTemplate(t, { constructor: 'c' }).content.title).toBe('c ts');
    expect(issuesOf(() => renderTemplate(t, {}))[0]).toMatchObject({
      code: 'missing_parameter',
      path: 'params.constructor',
    });
  });

  it('names missing, unknown and invalid parameters, all at once', () => {
    const t = defineTemplate(definition());
    const issues = issuesOf(() => renderTemplate(t, { colour: 'red', dir: 'a\u0000b' }));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'missing_parameter', path: 'params.thing' }),
        expect.objectContaining({ code: 'unknown_parameter', path: 'params.colour' }),
        expect.objectContaining({ code: 'invalid_parameter', path: 'params.dir' }),
      ]),
    );
    expect(issues.find((i) => i.code === 'missing_parameter')!.message).toBe(
      'missing parameter thing (what to add)',
    );
    expect(issuesOf(() => renderTemplate(t, { thing: '' }))[0].code).toBe('missing_parameter');
    expect(issuesOf(() => renderTemplate(t, { thing: 'x'.repeat(1001) }))[0].code).toBe('invalid_parameter');
  });

  it('reports a rendering that is not a valid plan (a title too long)', () => {
    const t = defineTemplate(definition());
    const issues = issuesOf(() => renderTemplate(t, { thing: 'y'.repeat(600) }));
    expect(issues.some((i) => i.path === 'title')).toBe(true);
  });

  it('makes a template body of a plan: literals marked, longer first, progress dropped', () => {
    const content = planContentFromDocument({
      title: 'Add invoice lines to invoice',
      description: 'Keep {{tenant}} apart',
      tasks: [
        {
          id: 'T1',
          chunk: 'C01',
          title: 'invoice line model',
          description: 'write src/invoice.txt invoice',
          status: 'completed',
        },
      ],
      execution: { maxAttempts: 3 },
    });
    const { document, parameters } = templateBodyFromPlan(content, {
      resource: 'invoice',
      item: 'invoice line',
    });
    expect(document.title).toBe('Add {{item}}s to {{resource}}');
    const task = (document.tasks as Array<Record<string, unknown>>)[0];
    expect(task.title).toBe('{{item}} model');
    expect(task.description).toBe('write src/{{resource}}.txt {{resource}}');
    expect(task.status).toBeUndefined();
    expect(parameters.map((p) => [p.name, p.example])).toEqual([
      ['resource', 'invoice'],
      ['item', 'invoice line'],
      ['tenant', undefined],
    ]);
    const t = defineTemplate({ name: 'x', title: 'x', parameters, document });
    expect(renderTemplate(t, { resource: 'order', item: 'order line', tenant: 'acme' }).content.title).toBe(
      'Add order lines to order',
    );
    // Text inside a placeholder the plan has already is not plan text: "tenant" is only there.
    expect(issuesOf(() => templateBodyFromPlan(content, { t: 'tenant' }))[0].message).toMatch(
      /does not appear/,
    );
    expect(issuesOf(() => templateBodyFromPlan(content, { nope: 'absent text' }))[0].message).toMatch(
      /does not appear/,
    );
  });

  describe('versioning (the decider)', () => {
    const save = (template: TemplateDefinition): TemplateCommand => ({
      type: 'SaveTemplate',
      template,
      savedAt: '2026-01-01T00:00:00.000Z',
      source: { kind: 'api' },
    });
    const fold = (state: TemplateState | null, command: TemplateCommand) =>
      templateAggregate.decide(command, state).reduce(templateAggregate.evolve, state);

    it('adds a version per change, keeps every version, and adds nothing for the same content', () => {
      const v1 = defineTemplate(definition());
      let state = fold(null, save(v1));
      expect(templateAggregate.revision(state)).toBe(1);
      expect(templateAggregate.decide(save(v1), state)).toEqual([]);
      state = fold(state, save({ ...v1, title: 'Add a thing, better' }));
      expect(state!.versions.map((v) => [v.version, v.title])).toEqual([
        [1, 'Add a thing'],
        [2, 'Add a thing, better'],
      ]);
      expect(templateAggregate.revision(state)).toBe(2);
    });

    it('refuses an invalid definition', () => {
      expect(() =>
        templateAggregate.decide(save({ ...defineTemplate(definition()), parameters: [] }), null),
      ).toThrow(ValidationError);
    });
  });
});
