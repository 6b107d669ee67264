import { SseParser, type SseEvent } from '../api-client';
import { run } from '../program';
import { fakeApi, memoryIo } from '../../../../test/support/cli-fakes';

const exec = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const io = memoryIo();
  const code = await run(['node', 'chunkwise', ...args], { io, env });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('session commands', () => {
  it.each([
    [['execute'], /missing required argument 'plan'/],
    [['execute', 'p1', '--from', 'middle'], /Allowed choices are beginning, current, chunk, task/],
    [['execute', 'p1', '--from', 'chunk'], /--from chunk needs --target <chunk>/],
    [['execute', 'p1', '--target', 'C02'], /--target goes with --from chunk or --from task/],
    [['execute', 'p1', '--max-attempts', '0'], /expected a number of at least 1/],
    [['execute', 'p1', '--turn-scope', 'plan'], /Allowed choices are task, chunk/],
    [['retry', 'p1'], /missing required argument 'task'/],
    [['edit', 'p1', 'T1'], /give --edit-title and\/or --edit-description/],
    [['watch'], /missing required argument 'plan'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await exec(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('execute sends from, target, chunks and options', async () => {
    const api = await fakeApi(() => ({
      status: 202,
      body: { planId: 'p1', sessionId: 's1', workflowId: 'chunkwise-p1-s1', revision: 3 },
    }));
    try {
      const r = await exec([
        'execute',
        'p1',
        '--from',
        'chunk',
        '--target',
        'C02',
        '--chunks',
        'C02-C04',
        '--max-attempts',
        '2',
        '--max-parallel',
        '5',
        '--turn-scope',
        'chunk',
        '--api',
        api.url,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('started session s1 of plan p1 (revision 3); workflow chunkwise-p1-s1');
      // The estimate is asked first (a hint: this fake answers it with the session ref, which says nothing).
      expect(api.requests.map((q) => q.url)).toEqual(['/api/plans/p1/estimate', '/api/plans/p1/execute']);
      expect(JSON.parse(api.requests[1].body)).toEqual({
        from: 'chunk',
        target: 'C02',
        chunks: 'C02-C04',
        options: { maxAttempts: 2, maxParallel: 5, turnScope: 'chunk' },
      });
    } finally {
      await api.close();
    }
  });

  it('task actions answer "accepted", or "rejected: <reason>" with exit 1 (an answer or a 409)', async () => {
    let answer: { status: number; body: unknown } = { status: 200, body: { accepted: true, reason: null } };
    const api = await fakeApi(() => answer);
    try {
      const ok = await exec(['approve', 'p1', 'T6', '--edit-title', 'New title', '--api', api.url]);
      expect(ok).toEqual({ code: 0, stdout: 'accepted\n', stderr: '' });
      expect(api.requests[0].url).toBe('/api/plans/p1/tasks/T6/approve');
      expect(JSON.parse(api.requests[0].body)).toEqual({ action: 'execute', edit: { title: 'New title' } });

      answer = { status: 200, body: { accepted: false, reason: 'task T6 is not failed' } };
      const no = await exec(['retry', 'p1', 'T6', '--api', api.url]);
      expect(no).toEqual({ code: 1, stdout: 'rejected: task T6 is not failed\n', stderr: '' });

      answer = { status: 409, body: { statusCode: 409, message: 'plan p1 has no active session' } };
      const conflict = await exec(['skip', 'p1', 'T6', '--reason', 'not needed', '--api', api.url]);
      expect(conflict).toEqual({ code: 1, stdout: 'rejected: plan p1 has no active session\n', stderr: '' });
      expect(JSON.parse(api.requests[2].body)).toEqual({ reason: 'not needed' });

      answer = { status: 200, body: { accepted: true, reason: null } };
      await exec(['edit', 'p1', 'T7', '--edit-description', 'do less', '--api', api.url]);
      expect(JSON.parse(api.requests[3].body)).toEqual({ description: 'do less' });
      await exec(['complete', 'p1', 'T7', '--api', api.url]);
      expect(api.requests[4].url).toBe('/api/plans/p1/tasks/T7/complete');
      expect(JSON.parse(api.requests[4].body)).toEqual({});
    } finally {
      await api.close();
    }
  });

  it('pause, stop and cancel send the reason; resume without a plan picks the latest paused plan', async () => {
    const api = await fakeApi((req) => {
      if (req.url.startsWith('/api/plans?'))
        return {
          status: 200,
          body: {
            plans: [
              { id: 'old', title: 'Old', status: 'paused', updatedAt: '2025-01-01T00:00:00.000Z' },
              { id: 'new', title: 'New', status: 'paused', updatedAt: '2025-02-01T00:00:00.000Z' },
            ],
          },
        };
      if (req.url.endsWith('/resume'))
        return {
          status: 200,
          body: { action: 'restarted', planId: 'new', sessionId: 's2', workflowId: 'w2' },
        };
      return { status: 202, body: { planId: 'p1', sessionId: 's1', workflowId: 'w1', signal: 'pause' } };
    });
    try {
      const paused = await exec(['pause', 'p1', '--reason', 'lunch', '--api', api.url]);
      expect(paused.code).toBe(0);
      expect(paused.stdout).toContain('accepted: the session pauses once running turns finish');
      expect(JSON.parse(api.requests[0].body)).toEqual({ reason: 'lunch' });
      expect((await exec(['cancel', 'p1', '--api', api.url])).stdout).toBe(
        'accepted: the session is being cancelled\n',
      );

      const resumed = await exec(['resume', '--api', api.url]);
      expect(resumed.code).toBe(0);
      expect(api.requests.at(-2)!.url).toBe('/api/plans?status=paused');
      expect(api.requests.at(-1)!.url).toBe('/api/plans/new/resume');
      expect(resumed.stderr).toContain('resuming the latest resumable plan: new (New)');
      expect(resumed.stdout).toContain(
        "started session s2 of plan new from the stopped session's checkpoint",
      );
    } finally {
      await api.close();
    }
  });

  it('resume without a plan says so when nothing is resumable', async () => {
    const api = await fakeApi(() => ({ status: 200, body: { plans: [] } }));
    try {
      const r = await exec(['resume', '--api', api.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no plan has a paused or stopped session to resume');
    } finally {
      await api.close();
    }
  });

  it('watch exits 0 when the session completed and 1 when it failed (plain lines off a terminal)', async () => {
    let status = 'completed';
    const api = await fakeApi((req) =>
      req.url.endsWith('/stream')
        ? { status: 404, body: { statusCode: 404, message: 'no stream' } }
        : {
            status: 200,
            body: {
              live: false,
              planId: 'p1',
              status,
              planStatus: status,
              totals: { tasks: 2, completed: 1, skipped: 0, failed: 1, running: 0, pending: 0 },
            },
          },
    );
    try {
      status = 'failed';
      const failed = await exec(['watch', 'p1', '--api', api.url]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe(
        'session failed: 1/2 tasks completed, 1 failed; see: chunkwise plans show p1\n',
      );
      status = 'completed';
      expect((await exec(['watch', 'p1', '--api', api.url])).code).toBe(0);
    } finally {
      await api.close();
    }
  });
});

describe('SseParser', () => {
  it('parses events split across chunks, joins data lines and skips comments', () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((e) => events.push(e));
    parser.push('retry: 2000\n: following\n\nid: 7\nevent: TaskCompleted\nda');
    parser.push('ta: {"a":1}\r\n\r\ndata: one\ndata: two\n');
    expect(events).toEqual([{ event: 'TaskCompleted', data: '{"a":1}', id: '7' }]);
    parser.push('\n');
    expect(events[1]).toEqual({ event: 'message', data: 'one\ntwo', id: '7' });
  });
});
