import { executionSettingsWriteSchema } from './execution-settings';
import { parsePlanDocument } from './document';
import { jsonBoundsIssues, jsonDepth } from './json-bounds';
import { applySuggestions } from './suggestions';

const nest = (depth: number, key = 'a'): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { [key]: v };
  return v;
};

describe('jsonBoundsIssues', () => {
  it('accepts ordinary values', () => {
    expect(jsonBoundsIssues({ a: [1, 'x', null, true, { b: [] }] })).toEqual([]);
    expect(jsonBoundsIssues('just a string')).toEqual([]);
    expect(jsonBoundsIssues(nest(63))).toEqual([]);
  });

  it('names the path where a value nested too deeply crosses the bound, at any depth (no recursion)', () => {
    for (const depth of [65, 5000, 200_000]) {
      const [issue] = jsonBoundsIssues({ execution: nest(depth) }, 'body');
      expect(issue.path).toBe(`body.execution${'.a'.repeat(63)}`);
      expect(issue.message).toMatch(/nested more than 64 levels deep$/);
    }
    const [arrays] = jsonBoundsIssues({ x: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) });
    expect(arrays.path).toBe(`x${'[0]'.repeat(63)}`);
  });

  it('quotes keys that are not identifiers, shortened', () => {
    const [issue] = jsonBoundsIssues({ 'a b': nest(70) }, '', { maxDepth: 2, maxNodes: 10, maxSize: 1e6 });
    expect(issue.path).toBe('["a b"].a');
    const long = 'k'.repeat(200);
    expect(
      jsonBoundsIssues({ [long]: nest(3) }, '', { maxDepth: 1, maxNodes: 10, maxSize: 1e6 })[0].path,
    ).toBe(`[${JSON.stringify(`${'k'.repeat(60)}…`)}]`);
  });

  it('bounds the number of values and the size', () => {
    const bounds = { maxDepth: 10, maxNodes: 100, maxSize: 1000 };
    expect(jsonBoundsIssues({ list: Array.from({ length: 200 }, () => 0) }, '', bounds)[0].message).toMatch(
      /more than 100 values/,
    );
    expect(jsonBoundsIssues({ s: 'x'.repeat(2000) }, 'body', bounds)[0]).toMatchObject({
      path: 'body.s',
      message: expect.stringMatching(/larger than about 1000 bytes/),
    });
  });

  it('refuses what is not JSON, and ends a cycle as too deep', () => {
    expect(jsonBoundsIssues({ f: () => 1 })[0].message).toMatch(/not a JSON value \(function\)/);
    expect(jsonBoundsIssues({ n: 10n })[0].message).toMatch(/bigint/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonBoundsIssues(cycle)[0].message).toMatch(/nested more than/);
  });

  it('jsonDepth measures without recursion', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth(nest(100_000))).toBe(100_000);
  });
});

describe('execution settings are checked with their schema when a plan is written', () => {
  const doc = (execution: unknown) => ({
    title: 'p',
    tasks: [{ id: 'T1', chunk: 'C01', title: 't' }],
    execution,
  });

  it('a typo in a QA gate, an unknown setting or a wrong agent option is an issue naming its path', () => {
    const typo = parsePlanDocument(doc({ qaGates: [{ name: 'lint', argv: ['npm'], timeoutsec: 5 }] }));
    expect(typo).toEqual({
      ok: false,
      issues: [
        expect.objectContaining({
          path: 'execution.qaGates[0]',
          message: expect.stringMatching(/timeoutsec/),
        }),
      ],
    });
    const unknown = parsePlanDocument(doc({ maxAttempt: 3 }));
    expect(unknown.ok || unknown.issues[0].path).toBe('execution');
    const agent = parsePlanDocument(doc({ agent: { type: 'command', argv: [], promptVia: 'pipe' } }));
    expect(agent.ok || agent.issues.map((i) => i.path)).toEqual([
      'execution.agent.argv',
      'execution.agent.promptVia',
    ]);
    const type = parsePlanDocument(doc({ agent: { type: 'claude' } }));
    expect(type.ok || type.issues[0].path).toBe('execution.agent.type');
  });

  it('a deep execution block is refused, naming the path, before any schema or serializer sees it', () => {
    const deep = parsePlanDocument(doc(nest(5000)));
    expect(deep.ok || deep.issues[0].path).toBe(`execution${'.a'.repeat(63)}`);
  });

  it('valid settings are stored exactly as written: nothing filled in', () => {
    const execution = {
      agent: { type: 'command', argv: ['node', 'a.js'] },
      qaGates: [{ name: 'test', argv: ['npm', 'test'] }],
      maxAttempts: 2,
    };
    const parsed = parsePlanDocument(doc(execution));
    expect(parsed.ok && parsed.content.execution).toEqual(execution);
    expect(executionSettingsWriteSchema.parse(execution)).toEqual(execution);
  });

  it('suggestions applied to a plan whose stored settings predate the schema keep them as stored', () => {
    const parsed = parsePlanDocument(doc(null));
    if (!parsed.ok) throw new Error('fixture');
    const legacy = { ...parsed.content, execution: { old: nest(10) as Record<string, unknown> } };
    const next = applySuggestions(legacy, []);
    expect(next.execution).toBe(legacy.execution);
    expect(next.tasks.map((t) => t.id)).toEqual(['T1']);
  });
});
