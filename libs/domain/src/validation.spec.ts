import { findCycles, validatePlan } from './validation';

const chunk = (key: string) => ({ key });
const task = (id: string, chunk: string, dependsOn: string[] = []) => ({ id, chunk, dependsOn });

describe('validatePlan', () => {
  it('accepts a valid plan', () => {
    expect(
      validatePlan({ chunks: [chunk('A'), chunk('B')], tasks: [task('T1', 'A'), task('T2', 'B', ['T1'])] }),
    ).toEqual([]);
  });

  it('collects every error at once, each naming its task or chunk', () => {
    const issues = validatePlan(
      {
        chunks: [chunk('A'), chunk('B'), chunk('A')],
        tasks: [
          task('', 'A'),
          task('T1', 'A', ['T9']),
          task('T1', 'B'),
          task('T2', ''),
          task('T3', 'Z'),
          task('T4', 'A', ['T5']),
          task('T5', 'B'),
        ],
      },
      { requireTasks: true },
    );
    const codes = issues.map((i) => i.code).sort();
    expect(codes).toEqual(
      [
        'dependency_on_later_chunk',
        'duplicate_chunk_key',
        'duplicate_task_id',
        'missing_task_id',
        'task_without_chunk',
        'unknown_chunk',
        'unknown_dependency',
      ].sort(),
    );
    expect(issues.find((i) => i.code === 'missing_task_id')!.message).toBe('task #1: missing task id');
    expect(issues.find((i) => i.code === 'duplicate_task_id')!.taskId).toBe('T1');
    expect(issues.find((i) => i.code === 'task_without_chunk')!.taskId).toBe('T2');
    expect(issues.find((i) => i.code === 'unknown_chunk')!.message).toBe('task T3: unknown chunk Z');
    expect(issues.find((i) => i.code === 'unknown_dependency')!.message).toBe(
      'task T1: depends on unknown task T9',
    );
    expect(issues.find((i) => i.code === 'dependency_on_later_chunk')!.message).toBe(
      'task T4: depends on T5 in later chunk B',
    );
    expect(issues.find((i) => i.code === 'duplicate_chunk_key')!.chunkKey).toBe('A');
  });

  it('prints a dependency cycle', () => {
    const issues = validatePlan({
      chunks: [chunk('A')],
      tasks: [task('T1', 'A', ['T3']), task('T2', 'A', ['T1']), task('T3', 'A', ['T2'])],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0].code).toBe('dependency_cycle');
    expect(issues[0].message).toMatch(
      /^dependency cycle: (T1 → T3 → T2 → T1|T3 → T2 → T1 → T3|T2 → T1 → T3 → T2)$/,
    );
  });

  it('reports a self dependency as a cycle', () => {
    const issues = validatePlan({ chunks: [chunk('A')], tasks: [task('T1', 'A', ['T1'])] });
    expect(issues.map((i) => i.message)).toEqual(['dependency cycle: T1 → T1']);
  });

  it('reports an empty plan only when tasks are required', () => {
    expect(validatePlan({ chunks: [], tasks: [] })).toEqual([]);
    expect(validatePlan({ chunks: [], tasks: [] }, { requireTasks: true }).map((i) => i.code)).toEqual([
      'empty_plan',
    ]);
  });

  it('handles a 20,000-task dependency chain without overflowing the stack', () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => task(`T${i}`, 'A', i ? [`T${i - 1}`] : []));
    expect(validatePlan({ chunks: [chunk('A')], tasks })).toEqual([]);
    tasks[0] = task('T0', 'A', ['T19999']);
    expect(findCycles(tasks)).toHaveLength(1);
  });
});
