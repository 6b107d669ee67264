import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkspaceTools, toolDefinitions, type WorkspaceToolsOptions } from './workspace-tools';

const nodeDir = path.dirname(process.execPath);
const roots: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  roots.push(d);
  return d;
}

/** A work tree with a .git directory, a file and a sibling directory "outside" it. */
async function setup(options: Partial<WorkspaceToolsOptions> = {}) {
  const base = await tempDir('cw-ws-');
  const root = path.join(base, 'tree');
  const outside = path.join(base, 'outside');
  await fs.mkdir(path.join(root, '.git'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(root, '.git', 'config'), '[core]\n');
  await fs.writeFile(path.join(root, 'README.md'), '# hello\n');
  await fs.writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
  const tools = await WorkspaceTools.open(root, {
    commands: { allow: ['node'], timeoutMs: 10_000, maxOutputChars: 10_000, env: { PATH: nodeDir } },
    ...options,
  });
  return { base, root, outside, tools };
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );

/** Dead, or a zombie waiting for a reaper (in a container, PID 1 may never reap orphans). */
async function isGone(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat !== null) return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

afterAll(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

describe('workspace tools: files', () => {
  it('writes (creating parent directories), reads, reads a line range and edits inside the tree', async () => {
    const { root, tools } = await setup();
    const w = await tools.execute('write_file', { path: 'src/deep/a.ts', content: 'one\ntwo\nthree\n' });
    expect(w).toMatchObject({ isError: false, content: 'created src/deep/a.ts (14 bytes)' });
    expect(await fs.readFile(path.join(root, 'src/deep/a.ts'), 'utf8')).toBe('one\ntwo\nthree\n');

    expect((await tools.execute('read_file', { path: 'src/deep/a.ts' })).content).toBe('one\ntwo\nthree\n');
    const part = await tools.execute('read_file', { path: 'src/deep/a.ts', start_line: 2, end_line: 2 });
    expect(part).toMatchObject({ isError: false, content: '[src/deep/a.ts: lines 2-2 of 4]\ntwo' });

    const e = await tools.execute('edit_file', {
      path: 'src/deep/a.ts',
      old_string: 'two',
      new_string: 'TWO',
    });
    expect(e).toMatchObject({ isError: false, content: 'edited src/deep/a.ts at line 2' });
    expect(await fs.readFile(path.join(root, 'src/deep/a.ts'), 'utf8')).toBe('one\nTWO\nthree\n');
  });

  it('accepts an absolute path inside the tree', async () => {
    const { root, tools } = await setup();
    const r = await tools.execute('read_file', { path: path.join(root, 'README.md') });
    expect(r).toMatchObject({ isError: false, content: '# hello\n' });
  });

  it('refuses ".." escapes for reading and writing, and writes nothing outside', async () => {
    const { outside, tools } = await setup();
    const read = await tools.execute('read_file', { path: '../outside/secret.txt' });
    expect(read.isError).toBe(true);
    expect(read.content).toMatch(/outside the work tree/);
    const write = await tools.execute('write_file', { path: 'src/../../outside/new.txt', content: 'x' });
    expect(write).toMatchObject({ isError: true });
    expect(write.content).toMatch(/outside the work tree/);
    expect(await exists(path.join(outside, 'new.txt'))).toBe(false);
  });

  it('refuses absolute paths outside the tree', async () => {
    const { outside, tools } = await setup();
    const read = await tools.execute('read_file', { path: path.join(outside, 'secret.txt') });
    expect(read).toMatchObject({ isError: true });
    expect(read.content).toMatch(/outside the work tree/);
    expect((await tools.execute('read_file', { path: '/etc/passwd' })).isError).toBe(true);
    const write = await tools.execute('write_file', { path: path.join(outside, 'x.txt'), content: 'x' });
    expect(write.isError).toBe(true);
    expect(await exists(path.join(outside, 'x.txt'))).toBe(false);
  });

  it('refuses symlinks leading outside (to a directory in /tmp, to a file, dangling), follows those inside', async () => {
    const { root, tools } = await setup();
    const elsewhere = await tempDir('cw-ws-elsewhere-'); // a directory in /tmp outside the tree
    await fs.writeFile(path.join(elsewhere, 'data.txt'), 'outside data\n');
    await fs.symlink(elsewhere, path.join(root, 'tmp-link'));
    await fs.symlink(path.join(elsewhere, 'data.txt'), path.join(root, 'file-link'));
    await fs.symlink(path.join(elsewhere, 'not-yet.txt'), path.join(root, 'dangling'));
    await fs.mkdir(path.join(root, 'inner'));
    await fs.symlink(path.join(root, 'inner'), path.join(root, 'inner-link'));

    for (const [tool, input] of [
      ['read_file', { path: 'tmp-link/data.txt' }],
      ['read_file', { path: 'file-link' }],
      ['list_dir', { path: 'tmp-link' }],
      ['search', { pattern: 'outside', path: 'tmp-link' }],
      ['write_file', { path: 'tmp-link/new.txt', content: 'x' }],
      ['write_file', { path: 'tmp-link/sub/new.txt', content: 'x' }],
      ['write_file', { path: 'file-link', content: 'x' }],
      ['edit_file', { path: 'file-link', old_string: 'outside', new_string: 'changed' }],
      ['write_file', { path: 'dangling', content: 'x' }],
    ] as const) {
      const r = await tools.execute(tool, input);
      expect({ tool, input, isError: r.isError }).toEqual({ tool, input, isError: true });
      expect(r.content).toMatch(/symlink/);
    }
    expect(await fs.readdir(elsewhere)).toEqual(['data.txt']);
    expect(await fs.readFile(path.join(elsewhere, 'data.txt'), 'utf8')).toBe('outside data\n');

    const w = await tools.execute('write_file', { path: 'inner-link/ok.txt', content: 'fine' });
    expect(w.isError).toBe(false);
    expect(await fs.readFile(path.join(root, 'inner', 'ok.txt'), 'utf8')).toBe('fine');
  });

  it('refuses writing into .git (directly, nested, through a symlink, or the .git file of a worktree)', async () => {
    const { root, tools } = await setup();
    await fs.symlink(path.join(root, '.git'), path.join(root, 'git-link'));
    for (const p of [
      '.git',
      '.git/config',
      '.git/hooks/pre-commit',
      './.git/x',
      'sub/.git/x',
      'git-link/config',
      '.GIT/x',
    ]) {
      const r = await tools.execute('write_file', { path: p, content: 'x' });
      expect({ p, isError: r.isError }).toEqual({ p, isError: true });
      expect(r.content).toMatch(/\.git/);
    }
    const edit = await tools.execute('edit_file', {
      path: '.git/config',
      old_string: 'core',
      new_string: 'x',
    });
    expect(edit.isError).toBe(true);
    expect(await fs.readFile(path.join(root, '.git', 'config'), 'utf8')).toBe('[core]\n');
    expect(await exists(path.join(root, '.git', 'hooks'))).toBe(false);
    // Reading .git is harmless and allowed.
    expect((await tools.execute('read_file', { path: '.git/config' })).isError).toBe(false);
  });

  it('refuses changing a read-only file', async () => {
    const base = await setup();
    const ro = path.join(base.root, '.chunkwise', 'full_plan.json');
    await fs.mkdir(path.dirname(ro));
    await fs.writeFile(ro, '{}');
    const tools = await WorkspaceTools.open(base.root, {
      commands: { allow: [], timeoutMs: 1000, maxOutputChars: 1000 },
      readOnlyPaths: [ro],
    });
    const r = await tools.execute('write_file', { path: '.chunkwise/full_plan.json', content: 'x' });
    expect(r).toMatchObject({ isError: true, content: '.chunkwise/full_plan.json: this file is read-only' });
    expect((await tools.execute('write_file', { path: '.chunkwise/plan.json', content: '{}' })).isError).toBe(
      false,
    );
  });

  it('edit_file: a missing or ambiguous old_string is a clear error and changes nothing', async () => {
    const { root, tools } = await setup();
    await fs.writeFile(path.join(root, 'a.txt'), 'x = 1\nx = 1\ny = 2\n');
    const missing = await tools.execute('edit_file', {
      path: 'a.txt',
      old_string: 'z = 3',
      new_string: 'z = 4',
    });
    expect(missing.isError).toBe(true);
    expect(missing.content).toMatch(/old_string was not found in a\.txt/);
    const twice = await tools.execute('edit_file', {
      path: 'a.txt',
      old_string: 'x = 1',
      new_string: 'x = 9',
    });
    expect(twice.isError).toBe(true);
    expect(twice.content).toMatch(/occurs 2 times in a\.txt; include more surrounding text/);
    expect(await fs.readFile(path.join(root, 'a.txt'), 'utf8')).toBe('x = 1\nx = 1\ny = 2\n');
    const nofile = await tools.execute('edit_file', { path: 'nope.txt', old_string: 'a', new_string: 'b' });
    expect(nofile.content).toMatch(/no such file/);
  });

  it('bounds read_file and reports bad input as an error', async () => {
    const { root, tools } = await setup({ limits: { maxReadBytes: 100 } });
    await fs.writeFile(path.join(root, 'big.txt'), `${'x'.repeat(50)}\n`.repeat(10));
    const whole = await tools.execute('read_file', { path: 'big.txt' });
    expect(whole.isError).toBe(true);
    expect(whole.content).toMatch(/read it in parts with start_line\/end_line/);
    expect((await tools.execute('read_file', { path: 'big.txt', start_line: 1, end_line: 1 })).isError).toBe(
      false,
    );
    const bad = await tools.execute('read_file', { file: 'README.md' });
    expect(bad.isError).toBe(true);
    expect(bad.content).toMatch(/^invalid input for read_file: /);
    expect((await tools.execute('rm_rf', {})).content).toBe('unknown tool rm_rf');
  });
});

describe('workspace tools: list_dir and search', () => {
  it('lists a directory without .git, recursively with node_modules named but not walked', async () => {
    const { root, tools } = await setup();
    await fs.mkdir(path.join(root, 'src', 'lib'), { recursive: true });
    await fs.writeFile(path.join(root, 'src', 'lib', 'x.ts'), '');
    await fs.mkdir(path.join(root, 'node_modules', 'pkg'), { recursive: true });
    expect((await tools.execute('list_dir', {})).content).toBe('README.md\nnode_modules/\nsrc/');
    expect((await tools.execute('list_dir', { recursive: true })).content).toBe(
      'README.md\nnode_modules/ (not listed)\nsrc/\nsrc/lib/\nsrc/lib/x.ts',
    );
  });

  it('searches by regex and literal text, skipping .git and node_modules, with bounded results', async () => {
    const { root, tools } = await setup({ limits: { maxSearchResults: 3 } });
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'a.ts'), 'const a = foo(1);\nconst b = FOO(2);\n');
    await fs.writeFile(path.join(root, '.git', 'foo'), 'foo(3)\n');
    await fs.mkdir(path.join(root, 'node_modules'));
    await fs.writeFile(path.join(root, 'node_modules', 'm.js'), 'foo(4)\n');
    expect((await tools.execute('search', { pattern: 'foo\\(\\d\\)' })).content).toBe(
      'src/a.ts:1: const a = foo(1);',
    );
    expect(
      (await tools.execute('search', { pattern: 'foo(', literal: true, ignore_case: true })).content,
    ).toBe('src/a.ts:1: const a = foo(1);\nsrc/a.ts:2: const b = FOO(2);');
    await fs.writeFile(path.join(root, 'many.txt'), 'hit\n'.repeat(10));
    const many = await tools.execute('search', { pattern: 'hit', path: 'many.txt' });
    expect(many.content.split('\n')).toEqual([
      'many.txt:1: hit',
      'many.txt:2: hit',
      'many.txt:3: hit',
      '[stopped at 3 matches]',
    ]);
    const bad = await tools.execute('search', { pattern: '(unclosed' });
    expect(bad.isError).toBe(true);
    expect(bad.content).toMatch(/invalid regular expression/);
  });

  it('stops a catastrophically backtracking pattern instead of hanging the event loop', async () => {
    const { root, tools } = await setup({ limits: { searchTimeoutMs: 500 } });
    await fs.writeFile(path.join(root, 'evil.txt'), `${'a'.repeat(40)}!\n`);
    const t0 = Date.now();
    const r = await tools.execute('search', { pattern: '^(a+)+$' });
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/longer than 500 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('workspace tools: run_command', () => {
  it('runs an allowlisted program with an argument vector (no shell), in the tree, without secrets', async () => {
    const { root, tools } = await setup({
      commands: {
        allow: ['node'],
        timeoutMs: 10_000,
        maxOutputChars: 10_000,
        env: { PATH: nodeDir, ANTHROPIC_API_KEY: 'sk-secret', HOME: os.homedir() },
      },
    });
    const script =
      'console.log(JSON.stringify({cwd: process.cwd(), argv: process.argv.slice(1), key: process.env.ANTHROPIC_API_KEY ?? null}))';
    const r = await tools.execute('run_command', {
      command: 'node',
      args: ['-e', script, '$(touch pwned)', '; rm -rf .'],
    });
    expect(r.isError).toBe(false);
    const [, status, json] = r.content.split('\n');
    expect(status).toBe('exit code 0');
    const seen = JSON.parse(json);
    expect(await fs.realpath(seen.cwd)).toBe(await fs.realpath(root));
    expect(seen.argv).toEqual(['$(touch pwned)', '; rm -rf .']);
    expect(seen.key).toBeNull();
    expect(await exists(path.join(root, 'pwned'))).toBe(false);
    expect(await exists(path.join(root, 'README.md'))).toBe(true);

    const failing = await tools.execute('run_command', { command: 'node', args: ['-e', 'process.exit(3)'] });
    expect(failing).toMatchObject({ isError: true, summary: expect.stringMatching(/^exit code 3/) });
  });

  it('refuses programs off the allowlist, paths to allowed names, and allowed names planted in the tree', async () => {
    const { root, tools } = await setup();
    const r = await tools.execute('run_command', { command: 'rm', args: ['-rf', '.'] });
    expect(r).toMatchObject({
      isError: true,
      content: 'command "rm" is not allowed; allowed commands: node',
    });
    expect(await exists(path.join(root, 'README.md'))).toBe(true);
    expect((await tools.execute('run_command', { command: process.execPath, args: [] })).content).toMatch(
      /is not allowed/,
    );

    // An allowlisted name found only in a PATH directory inside the tree is not run.
    await fs.mkdir(path.join(root, 'bin'));
    await fs.writeFile(path.join(root, 'bin', 'tool'), '#!/bin/sh\ntouch planted\n', { mode: 0o755 });
    const planted = await WorkspaceTools.open(root, {
      commands: {
        allow: ['tool'],
        timeoutMs: 5000,
        maxOutputChars: 1000,
        env: { PATH: path.join(root, 'bin') },
      },
    });
    const p = await planted.execute('run_command', { command: 'tool', args: [] });
    expect(p).toMatchObject({ isError: true, content: `command "tool" was not found on the worker's PATH` });
    expect(await exists(path.join(root, 'planted'))).toBe(false);

    const none = await WorkspaceTools.open(root, {
      commands: { allow: [], timeoutMs: 1000, maxOutputChars: 100 },
    });
    expect((await none.execute('run_command', { command: 'node' })).content).toMatch(
      /no commands are allowed/,
    );
  });

  it('kills the command and everything it started when it times out', async () => {
    const { tools } = await setup({
      commands: { allow: ['node'], timeoutMs: 800, maxOutputChars: 10_000, env: { PATH: nodeDir } },
    });
    // The child starts a grandchild in the same process group and both would run forever.
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);`;
    const t0 = Date.now();
    const r = await tools.execute('run_command', { command: 'node', args: ['-e', script] });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/timed out after 800 ms and was killed/);
    const pid = Number(/grandchild (\d+)/.exec(r.content)?.[1]);
    expect(pid).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 300));
    expect(await isGone(pid)).toBe(true);
  });

  it('kills a running command when the turn is cancelled', async () => {
    const { tools } = await setup();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const r = await tools.execute(
      'run_command',
      { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'] },
      abort.signal,
    );
    expect(r).toMatchObject({ isError: true, summary: expect.stringMatching(/^cancelled/) });
  });
});

describe('tool definitions', () => {
  it('describes six tools with JSON schemas and names the allowed commands', () => {
    const defs = toolDefinitions(['npm', 'git']);
    expect(defs.map((d) => d.name)).toEqual([
      'read_file',
      'write_file',
      'edit_file',
      'list_dir',
      'search',
      'run_command',
    ]);
    const run = defs.find((d) => d.name === 'run_command')!;
    expect(run.description).toMatch(/Allowed commands: npm, git\./);
    expect(run.input_schema).toMatchObject({
      type: 'object',
      required: ['command'],
      properties: { command: { type: 'string' }, args: { type: 'array', items: { type: 'string' } } },
    });
    expect(run.input_schema).not.toHaveProperty('$schema');
  });
});
