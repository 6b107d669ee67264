import { run } from '../program';
import { fakeApi, memoryIo } from '../../../../test/support/cli-fakes';

const exec = async (args: string[]) => {
  const io = memoryIo();
  const code = await run(['node', 'chunkwise', ...args], { io, env: {} });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

const view = (over: Record<string, unknown> = {}) => ({
  planId: 'p1',
  scheduleId: 'sch_1',
  description: 'cron 0 3 * * * (UTC)',
  overlap: 'queue',
  from: 'current',
  status: 'active',
  note: null,
  fired: 2,
  skipped: 1,
  lastFiring: { outcome: 'skipped', sessionId: null, reason: 'session s_1 of plan p1 is running' },
  temporal: { paused: false, nextRunTimes: ['2030-01-01T03:00:00.000Z'] },
  ...over,
});

describe('schedule commands', () => {
  it('create sends exactly one of cron, every, at with the overlap policy', async () => {
    const api = await fakeApi(() => ({ status: 201, body: view() }));
    try {
      const r = await exec([
        'schedule',
        'create',
        'p1',
        '--cron',
        '0 3 * * *',
        '--overlap',
        'queue',
        '--api',
        api.url,
      ]);
      expect(r.code).toBe(0);
      expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/api/plans/p1/schedules' });
      expect(JSON.parse(api.requests[0].body)).toEqual({
        cron: '0 3 * * *',
        overlap: 'queue',
        from: 'current',
      });
      expect(r.stdout).toMatch(/schedule sch_1 of plan p1 created: cron 0 3 \* \* \* \(UTC\), overlap queue/);

      const both = await exec([
        'schedule',
        'create',
        'p1',
        '--cron',
        '* * * * *',
        '--every',
        '1h',
        '--api',
        api.url,
      ]);
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/exactly one of --cron, --every, --at/);
      const badOverlap = await exec([
        'schedule',
        'create',
        'p1',
        '--every',
        '1h',
        '--overlap',
        'x',
        '--api',
        api.url,
      ]);
      expect(badOverlap.code).toBe(2);
      expect(api.requests).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('list prints a table (one plan, or all); pause, resume, trigger and delete call their routes', async () => {
    const api = await fakeApi((req) =>
      req.method === 'GET' ? { status: 200, body: { schedules: [view()] } } : { status: 200, body: view() },
    );
    try {
      const all = await exec(['schedule', 'list', '--api', api.url]);
      expect(all.code).toBe(0);
      expect(api.requests[0].url).toBe('/api/schedules');
      expect(all.stdout.split('\n')[0]).toMatch(
        /^plan\s+schedule\s+when\s+overlap\s+status\s+next run\s+fired\s+skipped\s+last firing$/,
      );
      expect(all.stdout).toMatch(/skipped: session s_1/);
      await exec(['schedule', 'list', 'p1', '--api', api.url]);
      expect(api.requests[1].url).toBe('/api/plans/p1/schedules');

      for (const action of ['pause', 'resume', 'trigger'])
        expect((await exec(['schedule', action, 'p1', 'sch_1', '--api', api.url])).code).toBe(0);
      expect(
        (await exec(['schedule', 'pause', 'p1', 'sch_1', '--note', 'holiday', '--api', api.url])).code,
      ).toBe(0);
      expect((await exec(['schedule', 'delete', 'p1', 'sch_1', '--api', api.url])).code).toBe(0);
      expect(api.requests.slice(2).map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /api/plans/p1/schedules/sch_1/pause',
        'POST /api/plans/p1/schedules/sch_1/resume',
        'POST /api/plans/p1/schedules/sch_1/trigger',
        'POST /api/plans/p1/schedules/sch_1/pause',
        'DELETE /api/plans/p1/schedules/sch_1',
      ]);
      expect(JSON.parse(api.requests[5].body)).toEqual({ note: 'holiday' });
    } finally {
      await api.close();
    }
  });

  it('shows the server’s refusal', async () => {
    const api = await fakeApi(() => ({
      status: 409,
      body: { statusCode: 409, code: 'invalid_transition', message: 'schedule sch_1 is paused already' },
    }));
    try {
      const r = await exec(['schedule', 'pause', 'p1', 'sch_1', '--api', api.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/paused already/);
    } finally {
      await api.close();
    }
  });
});
