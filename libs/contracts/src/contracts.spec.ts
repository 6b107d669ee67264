import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  hostTaskQueue,
  joinPath,
  sessionWorkflowId,
  turnOutputPath,
  agentStatePath,
  worktreePathFor,
  CHUNKWISE_TASK_QUEUE,
} from './index';

describe('turn output and work tree paths', () => {
  it('match node:path joins for ordinary data directories', () => {
    for (const dataDir of ['/var/lib/chunkwise', '/var/lib/chunkwise/', 'data', '/']) {
      expect(turnOutputPath(dataDir, 'p1', 's1-3')).toBe(path.join(dataDir, 'turns', 'p1', 's1-3.log'));
      expect(worktreePathFor(dataDir, 'chunkwise/p1/s1')).toBe(
        path.join(dataDir, 'worktrees', 'chunkwise__p1__s1'),
      );
    }
  });

  it('never lets an id leave its directory', () => {
    const p = turnOutputPath('/d', '../../etc', '../passwd');
    expect(p).toBe('/d/turns/______etc/___passwd.log');
    expect(path.normalize(p).startsWith('/d/turns/')).toBe(true);
    expect(worktreePathFor('/d', '../x')).toBe('/d/worktrees/..__x');
    expect(agentStatePath('/d', '../p', 's1/2')).toBe('/d/agent-state/___p/s1_2');
    expect(path.dirname(worktreePathFor('/d', '../x'))).toBe('/d/worktrees');
  });

  it('joins onto an empty directory as a relative path', () => {
    expect(joinPath('', 'a', 'b')).toBe('a/b');
  });
});

describe('ids and queues', () => {
  it('name a session workflow by plan and session, and a host queue by base and host', () => {
    expect(sessionWorkflowId('p1', 's1')).toBe('chunkwise-p1-s1');
    expect(hostTaskQueue(CHUNKWISE_TASK_QUEUE, 'host-a')).toBe('chunkwise@host-a');
  });
});

describe('workflow safety', () => {
  it('imports only the Temporal workflow API, @temporalio/common, the domain and its own files', () => {
    const allowed = /^(@temporalio\/workflow|@temporalio\/common|@chunkwise\/domain|\.\/[a-z-]+)$/;
    const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const source = readFileSync(path.join(__dirname, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => m[1]);
      expect({ file, bad: specifiers.filter((s) => !allowed.test(s)) }).toEqual({ file, bad: [] });
    }
  });
});
