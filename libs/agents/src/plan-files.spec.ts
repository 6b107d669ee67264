import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SessionChunk, SessionTask } from '@chunkwise/domain';
import {
  chunkTaskIds,
  readMarkedDone,
  turnFiles,
  writeTurnPlanFiles,
  type PlanFilesState,
} from './plan-files';

const task = (id: string, chunk: string, extra: Partial<SessionTask> = {}): SessionTask => ({
  id,
  chunk,
  title: `title ${id}`,
  description: `do ${id}`,
  acceptance: [`${id} works`],
  dependsOn: [],
  canRunInParallel: false,
  status: 'pending',
  attempts: 0,
  lastError: null,
  commitSha: null,
  outOfScope: false,
  startedAt: null,
  endedAt: null,
  ...extra,
});
const chunk = (key: string): SessionChunk => ({
  key,
  title: `chunk ${key}`,
  executionMode: 'sequential',
  pauseAfter: false,
  status: 'pending',
});
const C1 = chunk('C01');
const state: PlanFilesState = {
  planTitle: 'Demo',
  revision: 3,
  chunks: [C1, chunk('C02')],
  tasks: [
    task('T1', 'C01', { status: 'completed' }),
    task('T2', 'C01', { dependsOn: ['T1'] }),
    task('T3', 'C01', { outOfScope: true }),
    task('T4', 'C02'),
  ],
};

describe('plan files of an agent turn', () => {
  let wt: string;
  beforeEach(async () => {
    wt = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-plan-files-'));
  });
  afterEach(() => fs.rm(wt, { recursive: true, force: true }));

  it("writes the chunk's in-scope tasks to plan.json and the whole plan, read-only, to full_plan.json", async () => {
    const files = await writeTurnPlanFiles(wt, state, C1);
    expect(files).toEqual(turnFiles(wt));
    expect(files.planFile).toBe(path.join(wt, '.chunkwise', 'plan.json'));
    const plan = JSON.parse(await fs.readFile(files.planFile, 'utf8'));
    expect(plan).toEqual({
      plan: 'Demo',
      revision: 3,
      chunk: { key: 'C01', title: 'chunk C01', executionMode: 'sequential' },
      tasks: [
        {
          id: 'T1',
          title: 'title T1',
          description: 'do T1',
          acceptance: ['T1 works'],
          dependsOn: [],
          status: 'completed',
        },
        {
          id: 'T2',
          title: 'title T2',
          description: 'do T2',
          acceptance: ['T2 works'],
          dependsOn: ['T1'],
          status: 'pending',
        },
      ],
    });
    const full = JSON.parse(await fs.readFile(files.fullPlanFile, 'utf8'));
    expect(
      full.chunks.map((c: { key: string; tasks: Array<{ id: string }> }) => [
        c.key,
        c.tasks.map((t) => t.id),
      ]),
    ).toEqual([
      ['C01', ['T1', 'T2', 'T3']],
      ['C02', ['T4']],
    ]);
    expect((await fs.stat(files.fullPlanFile)).mode & 0o222).toBe(0);
  });

  it("replaces the previous turn's read-only full plan", async () => {
    await writeTurnPlanFiles(wt, state, C1);
    const next = { ...state, revision: 4 };
    const files = await writeTurnPlanFiles(wt, next, C1);
    expect(JSON.parse(await fs.readFile(files.fullPlanFile, 'utf8')).revision).toBe(4);
  });

  it('reads back the chunk tasks a chunk turn marked completed, ignoring other ids and unreadable files', async () => {
    const files = await writeTurnPlanFiles(wt, state, C1);
    const ids = chunkTaskIds(state, C1);
    expect(ids).toEqual(['T1', 'T2']);
    const plan = JSON.parse(await fs.readFile(files.planFile, 'utf8'));
    plan.tasks = [
      { id: 'T2', status: 'completed' },
      { id: 'T4', status: 'completed' },
      { id: 'T1', status: 'pending' },
    ];
    await fs.writeFile(files.planFile, JSON.stringify(plan));
    expect(await readMarkedDone(files.planFile, ids)).toEqual(['T2']);
    await fs.writeFile(files.planFile, '{ not json');
    expect(await readMarkedDone(files.planFile, ids)).toEqual([]);
    await fs.writeFile(files.planFile, '{"tasks": 7}');
    expect(await readMarkedDone(files.planFile, ids)).toEqual([]);
    expect(await readMarkedDone(path.join(wt, 'missing.json'), ids)).toEqual([]);
  });
});
