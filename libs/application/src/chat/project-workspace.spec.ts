import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchRunSchema } from '@chunkwise/domain';
import { ProjectWorkspace } from './project-workspace';

describe('the project workspace', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-workspace-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates CONTEXT.md, filepaths.json, runs/ and deliverables/ without overwriting, and records runs', async () => {
    const dir = path.join(root, 'a', 'b');
    const ws = new ProjectWorkspace(dir);
    await ws.ensure();
    fs.writeFileSync(path.join(dir, 'CONTEXT.md'), 'MINE');
    await ws.ensure();
    expect(fs.readFileSync(path.join(dir, 'CONTEXT.md'), 'utf8')).toBe('MINE');
    expect(fs.readdirSync(dir).sort()).toEqual(['CONTEXT.md', 'deliverables', 'filepaths.json', 'runs']);

    await ws.recordPaths([{ path: 'src', permission: 'write', absolute: dir }], 'run_1');
    expect(await ws.filepaths()).toEqual([
      { path: 'src', kind: 'folder', description: 'written by run run_1' },
    ]);
    const run = {
      runId: 'run_1',
      planId: 'p_1',
      params: launchRunSchema.parse({ task: 'Do it' }),
      launchedAt: 'now',
    };
    await ws.describeRun(run, {
      status: 'completed',
      summary: 'all done',
      tasks: [{ id: 'T1', title: 'One', status: 'completed', commit: 'abcdef1234567890', lastError: null }],
      commits: ['abcdef1234567890'],
      failures: [],
      usage: {
        calls: 1,
        inputTokens: 1,
        outputTokens: 1,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
        costUsd: 0.5,
      },
    });
    expect(
      JSON.parse(fs.readFileSync(path.join(dir, 'runs', 'run_1', 'run_description.json'), 'utf8')),
    ).toMatchObject({
      status: 'completed',
      task: 'Do it',
    });
    expect(fs.readFileSync(path.join(dir, 'deliverables', 'run_1.md'), 'utf8')).toContain(
      '- T1 One: completed (abcdef123456)',
    );
    expect(await ws.summary()).toContain('- deliverables/run_1.md');
  });

  it('fails cleanly where it cannot create the directory', async () => {
    await expect(new ProjectWorkspace('/proc/no-workspace-here').ensure()).rejects.toThrow();
  });
});
