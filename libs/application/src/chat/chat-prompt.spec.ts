import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyChatUsage } from '@chunkwise/domain';
import { CHAT_TOOLS, chatSystemPrompt } from './chat-prompt';
import { resolveContextPaths } from './context-paths';

describe('the chat prompt and tools', () => {
  it('launch_run carries every parameter of the seed, task required; the run tools take a run id', () => {
    const launch = CHAT_TOOLS.find((t) => t.name === 'launch_run')!;
    expect(Object.keys(launch.input_schema.properties as object).sort()).toEqual(
      [
        'task',
        'context',
        'agent_mode',
        'agents',
        'refinement',
        'planning_mode',
        'execute_after_planning',
        'context_paths',
        'agent_system_prompts',
        'coordination_overrides',
      ].sort(),
    );
    expect(launch.input_schema.required).toEqual(['task']);
    expect(CHAT_TOOLS.map((t) => t.name)).toEqual([
      'launch_run',
      'run_status',
      'list_runs',
      'cancel_run',
      'inspect_run',
    ]);
    for (const name of ['run_status', 'cancel_run', 'inspect_run'])
      expect(CHAT_TOOLS.find((t) => t.name === name)!.input_schema.required).toEqual(['run_id']);
  });

  it('the system prompt explains the role, every option, context and results, failures, cost and the agents', () => {
    const prompt = chatSystemPrompt({
      project: '/work/proj',
      repository: 'repo:r_1',
      agents: [
        { id: 'claude-code', type: 'claude-code' },
        { id: 'test', type: 'command' },
      ],
      autoApprove: false,
      budgetUsd: 5,
      spent: { conversation: { ...emptyChatUsage(), costUsd: 0.25 }, runs: emptyChatUsage() },
      workspace: '### CONTEXT.md\nWORKSPACE_MARKER',
    });
    for (const word of [
      'Answer directly',
      'Launch a run',
      'agent_mode',
      'refinement',
      'planning_mode',
      'execute_after_planning',
      'context_paths',
      'agent_system_prompts',
      'coordination_overrides',
      'inspect_run',
      'timed out',
      'cancelled',
      'retry differently',
      '$0.2500',
      'Budget: $5.0000',
      'claude-code (claude-code runner) — the default',
      'test (command runner)',
      'approves, edits or cancels',
      'WORKSPACE_MARKER',
    ])
      expect(prompt).toContain(word);
  });
});

describe('context paths', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-paths-'));
  const project = path.join(root, 'project');
  const repo = path.join(root, 'repo');
  fs.mkdirSync(project);
  fs.mkdirSync(repo);
  fs.writeFileSync(path.join(repo, 'only-in-repo.md'), 'x');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resolves relative paths in the project, then the repository; absolute ones inside either', () => {
    const [a, b, c] = resolveContextPaths(
      [
        { path: 'notes.md', permission: 'read' },
        { path: 'only-in-repo.md', permission: 'write' },
        { path: path.join(repo, 'src'), permission: 'read' },
      ],
      [project, repo],
    );
    expect(a.absolute).toBe(path.join(project, 'notes.md'));
    expect(b).toMatchObject({ absolute: path.join(repo, 'only-in-repo.md'), permission: 'write' });
    expect(c.absolute).toBe(path.join(repo, 'src'));
  });

  it('refuses escapes with .. and paths elsewhere, naming the index', () => {
    expect(() => resolveContextPaths([{ path: '../repo/x', permission: 'read' }], [project, repo])).toThrow(
      /context_paths\[0\]\.path: \.\.\/repo\/x is outside/,
    );
    expect(() => resolveContextPaths([{ path: '/etc/passwd', permission: 'read' }], [project, repo])).toThrow(
      /outside/,
    );
    expect(() => resolveContextPaths([{ path: 'a', permission: 'read' }], [])).toThrow(
      /no project or repository/,
    );
  });
});
