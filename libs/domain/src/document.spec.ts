import { parsePlanDocument, planContentFromDocument, planContentToDocument } from './document';
import { ValidationError } from './errors';

describe('plan document', () => {
  it('normalises a full document with defaults', () => {
    const content = planContentFromDocument({
      title: 'Auth',
      chunks: [{ key: 'C01_models', title: 'Models', executionMode: 'parallel', pauseAfter: true }],
      tasks: [{ id: 'T1', chunk: 'C01_models', title: 'User model', acceptance: ['has email'] }],
    });
    expect(content.chunks[0]).toEqual({
      key: 'C01_models',
      title: 'Models',
      description: '',
      executionMode: 'parallel',
      pauseAfter: true,
    });
    expect(content.tasks[0]).toMatchObject({
      id: 'T1',
      dependsOn: [],
      canRunInParallel: false,
      status: 'pending',
      attempts: 0,
      lastError: null,
      commitSha: null,
    });
    expect(content.repository).toBeNull();
  });

  it('derives chunks from task labels in order of first appearance and accepts depends_on (MassGen shape)', () => {
    const content = planContentFromDocument({
      title: 'From MassGen',
      tasks: [
        { id: 'a', chunk: 'C02_api', description: 'Build API\nmore text' },
        { id: 'b', chunk: 'C01_db', description: 'Schema', depends_on: ['a'] },
      ],
    });
    // C02 appears first, so it is the first chunk.
    expect(content.chunks.map((c) => c.key)).toEqual(['C02_api', 'C01_db']);
    expect(content.tasks[0].title).toBe('Build API');
    expect(content.tasks[1].dependsOn).toEqual(['a']);
  });

  it('rejects a document whose dependency points to a later derived chunk, naming the task', () => {
    const r = parsePlanDocument({
      title: 'x',
      tasks: [
        { id: 'a', chunk: 'C1', title: 'a', depends_on: ['b'] },
        { id: 'b', chunk: 'C2', title: 'b' },
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.message)).toEqual(['task a: depends on b in later chunk C2']);
  });

  it('coerces numeric ids and dependencies to strings', () => {
    const content = planContentFromDocument({
      title: 't',
      tasks: [
        { id: 1, chunk: 'A', title: 'one' },
        { id: 2, chunk: 'A', title: 'two', dependsOn: [1] },
      ],
    });
    expect(content.tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ['1', []],
      ['2', ['1']],
    ]);
  });

  it('reports schema errors with JSON paths', () => {
    const r = parsePlanDocument({
      title: '',
      tasks: [{ id: 'T1', chunk: 'A', title: 'x', canRunInParallel: 'yes' }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const paths = r.issues.map((i) => i.path);
      expect(paths).toContain('title');
      expect(paths).toContain('tasks[0].canRunInParallel');
    }
  });

  it('reports a missing title and a malformed id', () => {
    const r = parsePlanDocument({ title: 't', tasks: [{ id: 'T1', chunk: 'A' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toBe('task T1: missing title');
    expect(() =>
      planContentFromDocument({ title: 't', tasks: [{ id: 'bad id!', chunk: 'A', title: 'x' }] }),
    ).toThrow(ValidationError);
  });

  it('round-trips through the document form', () => {
    const doc = {
      title: 'Round',
      description: 'd',
      repository: '/tmp/repo',
      chunks: [
        { key: 'A', title: 'A', description: '', executionMode: 'manual' as const, pauseAfter: false },
      ],
      tasks: [
        {
          id: 'T1',
          chunk: 'A',
          title: 'x',
          description: '',
          dependsOn: [],
          canRunInParallel: true,
          acceptance: ['ok'],
          status: 'pending' as const,
        },
      ],
      execution: { maxAttempts: 2 },
    };
    const content = planContentFromDocument(doc);
    expect(planContentToDocument(content)).toEqual(doc);
  });
});
