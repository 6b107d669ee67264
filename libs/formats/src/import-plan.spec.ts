import { createHash } from 'node:crypto';
import { importPlan } from './import-plan';
import { fixture } from '../../../test/support/format-fixtures';
import { ImportError } from './types';

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImportError) return err.issues;
    throw err;
  }
  throw new Error('expected an ImportError');
};

describe('importPlan', () => {
  it('records a sha256 of the input, and the file name', () => {
    const file = fixture('speckit/001-quirks/tasks.md');
    const plan = importPlan({ content: file.content, filename: 'tasks.md' });
    expect(plan.sha256).toBe(createHash('sha256').update(file.content, 'utf8').digest('hex'));
    expect(plan.filename).toBe('tasks.md');
  });

  it('takes a title and a repository given by the caller', () => {
    const plan = importPlan({
      files: [fixture('kiro/quirks/tasks.md')],
      title: 'Mine',
      repository: '/repos/x',
    });
    expect(plan.content).toMatchObject({ title: 'Mine', repository: '/repos/x' });
  });

  it('refuses empty input, input without tasks and input it cannot recognise, saying so', () => {
    expect(issuesOf(() => importPlan({ content: '  \n' }))).toEqual([{ message: 'the input is empty' }]);
    expect(
      issuesOf(() => importPlan({ content: '# Notes\n\njust prose', filename: 'notes.md' }))[0].message,
    ).toMatch(/cannot recognise the format of notes\.md/);
    expect(
      issuesOf(() => importPlan({ content: '# Notes\n\njust prose', format: 'openspec' }))[0].message,
    ).toMatch(/no tasks found in input \(read as openspec\)/);
  });

  it('names the line of each problem the domain finds in a markdown plan', () => {
    const md = '## 1. A\n\n- [ ] 1.1 first <!-- chunkwise: deps=1.2 -->\n\n## 2. B\n\n- [ ] 1.2 second\n';
    expect(issuesOf(() => importPlan({ content: md, format: 'openspec' }))).toEqual([
      { line: 3, message: 'line 3: task 1.1: depends on 1.2 in later chunk C02_b' },
    ]);
  });

  it('reports a truncated JSON file with the line where it ends', () => {
    const json = fixture('taskmaster/legacy/tasks.json').content;
    const issues = issuesOf(() => importPlan({ content: json.slice(0, 200), filename: 'tasks.json' }));
    expect(issues[0].message).toMatch(/^not valid JSON: .*(line \d+|truncated)/);
  });

  it('turns a stack overflow on hostile nesting into a clear error', () => {
    const deep = `{"tasks":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const outcome = (() => {
      try {
        return importPlan({ content: deep, format: 'taskmaster' });
      } catch (err) {
        return err;
      }
    })();
    expect(outcome).toBeInstanceOf(ImportError);
  });
});
