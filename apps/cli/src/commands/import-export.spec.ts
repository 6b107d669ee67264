import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../program';
import { memoryIo } from '../../../../test/support/cli-fakes';
import { readPlanInput, shortName } from './import-export';

const FIXTURES = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'formats');

const exec = async (args: string[]) => {
  const io = memoryIo();
  const code = await run(['node', 'chunkwise', ...args], { io, env: {} });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('chunkwise import (no server needed for --dry-run)', () => {
  it('reads a folder’s plan files under the folder’s name', () => {
    const files = readPlanInput(join(FIXTURES, 'openspec', 'add-dark-mode'));
    expect(files.map((f) => f.name).sort()).toEqual(['add-dark-mode/proposal.md', 'add-dark-mode/tasks.md']);
  });

  it('reads a Task Master project folder (.taskmaster/tasks/tasks.json and state.json)', () => {
    const root = mkdtempSync(join(tmpdir(), 'chunkwise-tm-'));
    try {
      mkdirSync(join(root, '.taskmaster', 'tasks'), { recursive: true });
      writeFileSync(join(root, '.taskmaster', 'tasks', 'tasks.json'), '{"tasks":[]}');
      writeFileSync(join(root, '.taskmaster', 'state.json'), '{"currentTag":"master"}');
      expect(
        readPlanInput(root)
          .map((f) => f.name.split('/')[1])
          .sort(),
      ).toEqual(['state.json', 'tasks.json']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--dry-run prints chunks, tasks with their markers and dependencies, and the warnings', async () => {
    const r = await exec(['import', join(FIXTURES, 'taskmaster', 'tagged', 'tasks.json'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run: .* read as taskmaster \(tag master\); nothing stored$/m);
    expect(r.stdout).toMatch(/^plan: Task Master tasks \(master\) {2}\(6 chunks, 11 tasks\)$/m);
    expect(r.stdout).toMatch(
      /^ {4}\[ \] 2\.2 {2}Migrations {2}\[priority:medium\] {2}← 1\.1, 1\.2, 2\.1, 4$/m,
    );
    expect(r.stdout).toMatch(/^ {4}\[-\] 3 {2}Spike on caching {2}\[cancelled, priority:low\]$/m);
    expect(r.stdout).toMatch(/^warnings \(\d+\):$/m);
  });

  it('--dry-run --json gives the documents; --all-tags one per tag', async () => {
    const r = await exec([
      'import',
      join(FIXTURES, 'taskmaster', 'tagged', 'tasks.json'),
      '--dry-run',
      '--all-tags',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(
      JSON.parse(r.stdout).map((p: { tag: string; document: { tasks: unknown[] } }) => [
        p.tag,
        p.document.tasks.length,
      ]),
    ).toEqual([
      ['master', 11],
      ['feature-x', 2],
    ]);
  });

  it('a file that cannot be imported exits 1 and names each problem', async () => {
    const r = await exec(['import', join(FIXTURES, 'massgen', 'later-chunk.project_plan.json'), '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: cannot import .* as massgen \(1 problem\):\n {2}- tasks\[0\]: task A1: depends on B1 in later chunk C02_second$/m,
    );
  });

  it.each([
    [['import'], /missing required argument 'path'/],
    [['import', 'x', '--format', 'trello'], /Allowed choices are auto, chunkwise, openspec/],
    [['export', 'p1'], /required option '--format <format>' not specified/],
    [['export', 'p1', '--format', 'kiro', '--revision', 'x'], /expected a whole number/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await exec(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--infer-dependencies makes the dependencies written in words real ones, and says which', async () => {
    const file = join(FIXTURES, 'kiro', 'dependencies', 'tasks.md');
    const plain = await exec(['import', file, '--dry-run']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^ {4}\[x\] 1\.2 {2}Add the build$/m);
    expect(plain.stdout).toMatch(
      /^ {2}- line 6: dependency in words "Dependencies: 1\.1" names 1\.1; not imported as a dependency \(--infer-dependencies makes it one\)$/m,
    );

    const inferred = await exec(['import', file, '--dry-run', '--infer-dependencies']);
    expect(inferred.code).toBe(0);
    expect(inferred.stdout).toMatch(/^ {4}\[x\] 1\.2 {2}Add the build {2}← 1\.1$/m);
    expect(inferred.stdout).toMatch(/^ {4}\[ \] 2\.2 {2}Write the migrations {2}← 2\.1$/m);
    expect(inferred.stdout).toMatch(/^ {4}\[ \] 2\.3 {2}Seed the data$/m);
    expect(inferred.stdout).toMatch(
      /^ {2}- line 14: dependency in words "Blocked by: 3\.1" not imported: 3\.1 \(3\.1 is in a later chunk, C03_api, than 2\.3 in C02_data-layer\)$/m,
    );
  });

  it('--all-tags does not tell the user to choose a tag', async () => {
    const file = join(FIXTURES, 'taskmaster', 'tagged', 'tasks.json');
    const one = await exec(['import', file, '--dry-run']);
    expect(one.stdout).toContain('choose one with --tag, or all with --all-tags');
    const all = await exec(['import', file, '--dry-run', '--all-tags']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/read as taskmaster \(tag feature-x\)/);
    expect(all.stdout).not.toMatch(/--tag|--all-tags/);
  });

  it('a file name keeps its leading "/" in messages, shortened or not', async () => {
    expect(shortName('/tmp/x/tasks.md')).toBe('/tmp/x/tasks.md');
    expect(shortName('/home/me/work/specs/001-x/tasks.md')).toBe('/…/work/specs/001-x/tasks.md');
    const root = mkdtempSync(join(tmpdir(), 'chunkwise-empty-'));
    try {
      const dir = join(root, 'a', 'b', 'c');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'tasks.md');
      writeFileSync(file, '# Tasks\n\nNothing to do yet.\n');
      const r = await exec(['import', file, '--dry-run', '--format', 'openspec']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no tasks found in /…/a/b/c/tasks.md (read as openspec)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a missing path is an error (exit 1)', async () => {
    const r = await exec(['import', join(FIXTURES, 'nope.md'), '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*nope\.md: no such file or folder/);
  });
});
