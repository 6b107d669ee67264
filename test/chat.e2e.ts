/**
 * The chat (interactive mode) end to end over HTTP: the real application (SQLite in a temp dir),
 * the real Anthropic SDK against the local Messages API stand-in scripted per test, runs planned
 * by PlanningService and executed on the real Temporal dev server by this host's workers with the
 * deterministic test agent as a real child process, in a real git repository.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import request from 'supertest';
import { call, ChatStack, forced, planReply, say } from './support/chat-stack';
import type { FakeAnthropic, FakeRequest } from './support/fake-anthropic';
import { git } from './support/session-harness';
import { withTemporalCli } from './support/temporal-cli';

jest.setTimeout(240_000);
Runtime.install({ logger: new DefaultLogger('WARN') });

type Frame = { event: string; data: any };

const revisionReply = (title: string) =>
  forced('submit_revision', {
    summary: 'tightened',
    title: 'Refined',
    description: 'refined plan',
    chunks: [{ key: 'work', title, description: 'refined', executionMode: 'sequential' }],
    tasks: [
      {
        id: 'T1',
        chunk: 'work',
        title: 'Refined task',
        description: 'write refined.txt ok',
        acceptance: ['done'],
        dependsOn: [],
        canRunInParallel: false,
      },
    ],
  });

const lastUser = (r: FakeRequest) => r.body.messages[r.body.messages.length - 1];
const toolResults = (r: FakeRequest): Array<{ tool_use_id: string; content: string; is_error?: boolean }> =>
  lastUser(r).content.filter((b: { type: string }) => b.type === 'tool_result');

/** The chat settings of the API after its restart. */
const AFTER_RESTART = {
  CHUNKWISE_CHAT_AUTO_APPROVE: 'true',
  CHUNKWISE_CHAT_BUDGET_USD: '1.2',
  CHUNKWISE_CHAT_COMPACT_TOKENS: '5000',
  CHUNKWISE_CHAT_KEEP_MESSAGES: '2',
};

withTemporalCli('test/chat.e2e.ts', ({ path: binary }) => {
  describe('the chat over the REST API', () => {
    const stack = new ChatStack();
    const { project } = stack;
    let repo = '';
    let fake: FakeAnthropic;
    let app: NestExpressApplication;
    let baseUrl = '';
    const startApp = async (env: Record<string, string> = {}) => {
      await stack.startApp(env);
      ({ app, baseUrl } = stack);
    };
    const api = () => request(app.getHttpServer());

    /** POSTs and reads the whole SSE answer (the turn ends the response). */
    const turn = async (path: string, body: unknown): Promise<Frame[]> => {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      return text
        .split('\n\n')
        .filter((f) => f.startsWith('event:'))
        .map((f) => {
          const [e, d] = f.split('\n');
          return { event: e.slice('event: '.length), data: JSON.parse(d.slice('data: '.length)) };
        });
    };
    const newSession = async () =>
      (await api().post('/api/chat/sessions').send({ project, repository: repo }).expect(201)).body
        .id as string;
    const session = async (id: string) => (await api().get(`/api/chat/sessions/${id}`).expect(200)).body;

    beforeAll(async () => {
      await stack.start(binary);
      ({ app, baseUrl, fake, repo } = stack);
    });

    afterAll(() => stack.stop());

    beforeEach(() => {
      fake.requests.length = 0;
    });

    let firstSession = '';

    test('launch_run offers every parameter; a run is approved, planned with its context and context paths, executed, and its result goes back to the model', async () => {
      const id = await newSession();
      firstSession = id;
      fake.scriptByPurpose({
        chat: [
          call(
            'launch_run',
            {
              task: 'Add a greeting file',
              context: 'CONTEXT_MARKER: the user wants it short',
              agent_mode: 'single',
              agents: ['test'],
              context_paths: [{ path: 'notes.md', permission: 'read' }],
              agent_system_prompts: { test: 'Be terse.' },
            },
            'toolu_launch1',
          ),
          say('The greeting file is committed.', { input_tokens: 400, output_tokens: 30 }),
        ],
        submit_plan: [planReply([{ id: 'T1', directive: 'write hello.txt hi' }])],
      });

      const asked = await turn(`/api/chat/sessions/${id}/messages`, {
        content: 'Please add a greeting file',
      });
      const approval = asked.find((f) => f.event === 'approval_required')!;
      expect(approval.data).toMatchObject({ callId: 'toolu_launch1', reason: 'approval' });
      expect(approval.data.params).toMatchObject({
        task: 'Add a greeting file',
        agent_mode: 'single',
        planning_mode: false,
      });
      expect(asked.at(-2)).toMatchObject({ event: 'done', data: { reason: 'awaiting_approval' } });
      expect(asked.find((f) => f.event === 'tool_call')!.data).toMatchObject({
        callId: 'toolu_launch1',
        name: 'launch_run',
      });
      expect((await session(id)).pending).toMatchObject({ callId: 'toolu_launch1' });

      // The tool schema the model was given carries every seed parameter.
      const launch = fake.requests[0].body.tools.find((t: { name: string }) => t.name === 'launch_run');
      expect(Object.keys(launch.input_schema.properties).sort()).toEqual(
        [
          'agent_mode',
          'agent_system_prompts',
          'agents',
          'context',
          'context_paths',
          'coordination_overrides',
          'execute_after_planning',
          'planning_mode',
          'refinement',
          'task',
        ].sort(),
      );
      expect(launch.input_schema.required).toEqual(['task']);
      expect(fake.requests[0].body.tools.map((t: { name: string }) => t.name).sort()).toEqual(
        ['cancel_run', 'inspect_run', 'launch_run', 'list_runs', 'run_status'].sort(),
      );
      expect(JSON.stringify(fake.requests[0].body.system)).toMatch(/inspect_run/);

      // A second message while the run waits for approval is refused.
      expect((await api().post(`/api/chat/sessions/${id}/messages`).send({ content: 'hello?' })).status).toBe(
        409,
      );

      const frames = await turn(`/api/chat/sessions/${id}/approvals/toolu_launch1`, { decision: 'approve' });
      const events = frames.map((f) => f.event);
      expect(events).toEqual(
        expect.arrayContaining(['run_launched', 'run_progress', 'run_ended', 'tool_result', 'text']),
      );
      const ended = frames.find((f) => f.event === 'run_ended')!.data;
      expect(ended.result).toMatchObject({ status: 'completed', failures: [] });
      expect(ended.result.commits).toHaveLength(1);

      // The plan was generated from the task, the context and the context path's content; single mode: no refinement.
      const planning = fake.requests.find((r) => r.body.tool_choice?.name === 'submit_plan')!;
      const prompt = JSON.stringify(planning.body.messages);
      expect(prompt).toContain('Add a greeting file');
      expect(prompt).toContain('CONTEXT_MARKER');
      expect(prompt).toContain('NOTES_MARKER');
      expect(prompt).toContain('Be terse.');
      expect(fake.requests.some((r) => r.body.tool_choice?.name === 'submit_revision')).toBe(false);

      // The result went back to the model as the tool result.
      const followUp = fake.requests.filter((r) =>
        r.body.tools?.some((t: { name: string }) => t.name === 'launch_run'),
      )[1];
      const [result] = toolResults(followUp);
      expect(result.tool_use_id).toBe('toolu_launch1');
      expect(JSON.parse(result.content)).toMatchObject({
        status: 'completed',
        tasks: [{ id: 'T1', status: 'completed' }],
      });

      expect(git(repo, 'cat-file', '-t', ended.result.commits[0])).toBe('commit');
      const s = await session(id);
      expect(s.pending).toBeNull();
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0]).toMatchObject({ status: 'completed', params: { agents: ['test'] } });
      // Cost per conversation (two chat calls) and per run (the planning call at least).
      expect(s.usage.conversation.calls).toBe(2);
      expect(s.usage.runs.calls).toBeGreaterThanOrEqual(1);
      expect(s.usage.runs.costUsd).toBeGreaterThan(0);
      expect(s.usage.totalCostUsd).toBeCloseTo(s.usage.conversation.costUsd + s.usage.runs.costUsd, 10);
      expect(s.messages.at(-1).content[0].text).toBe('The greeting file is committed.');

      // The project workspace: run description, deliverable, file list.
      const runId = s.runs[0].runId;
      const description = JSON.parse(
        fs.readFileSync(join(project, 'runs', runId, 'run_description.json'), 'utf8'),
      );
      expect(description).toMatchObject({ runId, status: 'completed', task: 'Add a greeting file' });
      expect(fs.readFileSync(join(project, 'deliverables', `${runId}.md`), 'utf8')).toContain('T1');
      expect(fs.existsSync(join(project, 'CONTEXT.md'))).toBe(true);
      expect(JSON.parse(fs.readFileSync(join(project, 'filepaths.json'), 'utf8')).entries).toEqual([
        expect.objectContaining({ path: 'notes.md', kind: 'file' }),
      ]);
    });

    test('multi mode refines with drafts and a judge; planning only leaves the plan unexecuted', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [
          call('launch_run', { task: 'Plan the auth module', planning_mode: true }, 'toolu_plan'),
          say('Here is the plan.'),
        ],
        submit_plan: [planReply([{ id: 'T1', directive: 'write a.txt a' }])],
        submit_revision: [revisionReply('Draft A'), revisionReply('Draft B'), revisionReply('Draft C')],
        submit_judgement: [
          forced('submit_judgement', {
            decision: 'pick',
            pickedDraft: 2,
            rationale: 'B is best',
            merged: null,
          }),
        ],
      });
      await turn(`/api/chat/sessions/${id}/messages`, { content: 'plan auth' });
      const frames = await turn(`/api/chat/sessions/${id}/approvals/toolu_plan`, { decision: 'approve' });
      const ended = frames.find((f) => f.event === 'run_ended')!.data.result;
      expect(ended).toMatchObject({ status: 'planned', failures: [] });
      expect(fake.requests.filter((r) => r.body.tool_choice?.name === 'submit_revision')).toHaveLength(3);
      const s = await session(id);
      const plan = (await api().get(`/api/plans/${s.runs[0].planId}`).query({ revision: 2 }).expect(200))
        .body;
      expect(plan).toMatchObject({ status: 'draft', lastPlanningMode: 'multi' });
      expect(plan.chunks[0].title).toBe('Draft B');
    });

    test('an edited approval runs the edited parameters (refinement off); a cancelled one tells the model; escapes are refused', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [
          call('launch_run', { task: 'Original task', planning_mode: true }, 'toolu_edit'),
          say('Planned as you edited it.'),
          call('launch_run', { task: 'Something expensive' }, 'toolu_cancel'),
          say('Understood, not launching it.'),
          call(
            'launch_run',
            {
              task: 'Sneaky',
              planning_mode: true,
              context_paths: [{ path: '../../etc/passwd', permission: 'read' }],
            },
            'toolu_escape',
          ),
          say('That path is outside the project.'),
        ],
        submit_plan: [planReply([{ id: 'T1', directive: 'write b.txt b' }])],
      });
      await turn(`/api/chat/sessions/${id}/messages`, { content: 'plan something' });
      // An edit with a path outside the project and the repository is a 400; nothing is resolved.
      const bad = await api()
        .post(`/api/chat/sessions/${id}/approvals/toolu_edit`)
        .send({
          decision: 'edit',
          params: { task: 'x', context_paths: [{ path: '../outside', permission: 'read' }] },
        });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/outside the project/);
      expect((await session(id)).pending).toMatchObject({ callId: 'toolu_edit' });

      const edited = await turn(`/api/chat/sessions/${id}/approvals/toolu_edit`, {
        decision: 'edit',
        params: { task: 'Edited task', planning_mode: true, agent_mode: 'multi', refinement: false },
      });
      expect(edited.find((f) => f.event === 'run_ended')!.data.result.status).toBe('planned');
      expect(fake.requests.some((r) => r.body.tool_choice?.name === 'submit_revision')).toBe(false);
      expect(
        JSON.stringify(fake.requests.find((r) => r.body.tool_choice?.name === 'submit_plan')!.body.messages),
      ).toContain('Edited task');

      await turn(`/api/chat/sessions/${id}/messages`, { content: 'now the expensive one' });
      fake.requests.length = 0;
      await turn(`/api/chat/sessions/${id}/approvals/toolu_cancel`, { decision: 'cancel' });
      expect(toolResults(fake.requests[0])[0].content).toMatch(/cancelled this run/);

      fake.requests.length = 0;
      await turn(`/api/chat/sessions/${id}/messages`, { content: 'read the passwords' });
      const [escape] = toolResults(fake.requests[1]);
      expect(escape).toMatchObject({ tool_use_id: 'toolu_escape', is_error: true });
      expect(escape.content).toMatch(/outside the project/);
      const s = await session(id);
      expect(s.runs).toHaveLength(1);
      expect(s.runs[0].params.task).toBe('Edited task');
    });

    test('sessions are listed and resumed with their history after the API restarts', async () => {
      await app.close();
      await startApp(AFTER_RESTART);
      const list = (await api().get('/api/chat/sessions').expect(200)).body;
      expect(list.length).toBeGreaterThanOrEqual(3);
      const first = list.find((s: { id: string }) => s.id === firstSession);
      expect(first).toMatchObject({ project, lastMessage: 'The greeting file is committed.', runs: 1 });
      expect(first.costUsd).toBeGreaterThan(0);

      fake.scriptByPurpose({ chat: [say('Yes: hello.txt, committed in run one.')] });
      const frames = await turn(`/api/chat/sessions/${firstSession}/messages`, {
        content: 'What did we do?',
      });
      expect(
        frames
          .filter((f) => f.event === 'text')
          .map((f) => f.data.text)
          .join(''),
      ).toBe('Yes: hello.txt, committed in run one.');
      const history = JSON.stringify(fake.requests[0].body.messages);
      expect(history).toContain('Please add a greeting file');
      expect(history).toContain('toolu_launch1');
      expect(fake.requests[0].body.messages.at(-1).content).toEqual([
        { type: 'text', text: 'What did we do?' },
      ]);
    });

    test('auto-approve: planning then execute runs without asking; a run over the budget still asks', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [
          call('launch_run', {
            task: 'Plan then do',
            planning_mode: true,
            execute_after_planning: true,
            agent_mode: 'single',
          }),
          say('Done.'),
          call('launch_run', { task: 'Big multi run', agent_mode: 'multi' }, 'toolu_big'),
        ],
        submit_plan: [planReply([{ id: 'T1', directive: 'write planned.txt p' }])],
      });
      const frames = await turn(`/api/chat/sessions/${id}/messages`, { content: 'plan then do' });
      expect(frames.some((f) => f.event === 'approval_required')).toBe(false);
      expect(frames.find((f) => f.event === 'run_ended')!.data.result.status).toBe('completed');

      const asked = await turn(`/api/chat/sessions/${id}/messages`, { content: 'now the big one' });
      expect(asked.find((f) => f.event === 'approval_required')!.data).toMatchObject({
        reason: 'budget',
        callId: 'toolu_big',
      });
      expect((await session(id)).pending.estimateUsd).toBeGreaterThan(1.2 - 0.1);
    });

    test('a failing run: the result says so, inspect_run gives the partial results, cancel_run ends it', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [
          call('launch_run', {
            task: 'Two steps, the second fails',
            agent_mode: 'single',
            coordination_overrides: { maxAttempts: 1 },
          }),
          (req) => {
            const runId = JSON.parse(toolResults(req)[0].content).run_id;
            return call('inspect_run', { run_id: runId });
          },
          (req) => {
            const runId = JSON.parse(toolResults(req)[0].content).run_id;
            return call('cancel_run', { run_id: runId, reason: 'giving up' });
          },
          say('T1 is committed; T2 failed, so I cancelled the run.'),
        ],
        submit_plan: [
          planReply([
            { id: 'T1', directive: 'write one.txt 1' },
            { id: 'T2', directive: 'fail 9' },
          ]),
        ],
      });
      const frames = await turn(`/api/chat/sessions/${id}/messages`, { content: 'do the two steps' });
      const ended = frames.find((f) => f.event === 'run_ended')!.data.result;
      expect(ended.status).toBe('paused');
      expect(ended.failures.join('\n')).toMatch(/T2/);
      const chats = fake.requests.filter((r) =>
        r.body.tools?.some((t: { name: string }) => t.name === 'launch_run'),
      );
      const inspected = JSON.parse(toolResults(chats[2])[0].content);
      expect(inspected.tasks).toEqual([
        expect.objectContaining({ id: 'T1', status: 'completed', commit: expect.any(String) }),
        expect.objectContaining({ id: 'T2', status: 'failed' }),
      ]);
      const cancelled = JSON.parse(toolResults(chats[3])[0].content);
      expect(cancelled.status).toBe('cancelled');
      const s = await session(id);
      expect(s.runs[0].status).toBe('cancelled');
    });

    test('the API restarts while a run executes: resuming the session finds the run from its plan and gives the model its result', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [
          call('launch_run', { task: 'A slow step', agent_mode: 'single' }, 'toolu_slow'),
          say('The slow run finished while I was away.'),
        ],
        submit_plan: [planReply([{ id: 'T1', directive: 'sleep 6000\nwrite slow.txt s' }])],
      });
      const following = turn(`/api/chat/sessions/${id}/messages`, { content: 'run the slow step' }).catch(
        (e: Error) => e,
      );
      const deadline = Date.now() + 60_000;
      while ((await session(id)).runs[0]?.status !== 'running') {
        if (Date.now() > deadline) throw new Error('the run did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      await app.close(); // the chat following the run stops with it; the workers run on
      const stopped = await following;
      expect(JSON.stringify(stopped)).toMatch(/shutting down/);
      await startApp(AFTER_RESTART);
      expect((await session(id)).messages.at(-1).content[0]).toMatchObject({
        type: 'tool_use',
        id: 'toolu_slow',
      });

      fake.requests.length = 0;
      const frames = await turn(`/api/chat/sessions/${id}/messages`, { content: 'is it done?' });
      expect(frames.find((f) => f.event === 'run_ended')!.data.result).toMatchObject({
        status: 'completed',
        tasks: [{ id: 'T1', status: 'completed' }],
      });
      const [result] = fake.requests[0].body.messages.at(-1).content;
      expect(result).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_slow' });
      expect(JSON.parse(result.content).status).toBe('completed');
      expect(fake.requests[0].body.messages.at(-1).content.at(-1)).toEqual({
        type: 'text',
        text: 'is it done?',
      });
      const s = await session(id);
      expect(s.runs[0].status).toBe('completed');
      expect(s.messages.at(-1).content[0].text).toBe('The slow run finished while I was away.');
    });

    test('coordination_overrides refuses context_paths and agent_system_prompts', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [
          call('launch_run', { task: 'x', coordination_overrides: { context_paths: [], maxAttempts: 2 } }),
          say('Fixed.'),
        ],
      });
      await turn(`/api/chat/sessions/${id}/messages`, { content: 'go' });
      const [result] = toolResults(fake.requests[1]);
      expect(result.is_error).toBe(true);
      expect(result.content).toMatch(/context_paths is a launch_run parameter/);
    });

    test('a long conversation is compacted: older turns summarised, recent turns verbatim, nothing deleted', async () => {
      const id = await newSession();
      fake.scriptByPurpose({
        chat: [say('first answer'), say('second answer', { input_tokens: 6000 }), say('third answer')],
        submit_summary: [forced('submit_summary', { summary: 'SUMMARY: the user asked about OLD_TOPIC' })],
      });
      await turn(`/api/chat/sessions/${id}/messages`, { content: 'OLD_TOPIC question' });
      await turn(`/api/chat/sessions/${id}/messages`, { content: 'RECENT_TOPIC question' });
      fake.requests.length = 0;
      const frames = await turn(`/api/chat/sessions/${id}/messages`, { content: 'latest question' });
      expect(frames.find((f) => f.event === 'compacted')!.data.through).toBe(2);
      const summaryRequest = fake.requests.find((r) => r.body.tool_choice?.name === 'submit_summary')!;
      expect(JSON.stringify(summaryRequest.body.messages)).toContain('OLD_TOPIC question');
      const chat = fake.requests.find((r) =>
        r.body.tools?.some((t: { name: string }) => t.name === 'launch_run'),
      )!;
      const sent = JSON.stringify(chat.body.messages);
      expect(sent).toContain('SUMMARY: the user asked about OLD_TOPIC');
      expect(sent).not.toContain('OLD_TOPIC question');
      expect(sent).toContain('RECENT_TOPIC question');
      expect(sent).toContain('latest question');
      const s = await session(id);
      expect(s.compaction).toMatchObject({ through: 2, summary: 'SUMMARY: the user asked about OLD_TOPIC' });
      expect(s.messages).toHaveLength(6);
      expect(s.usage.conversation.calls).toBe(4); // three chat turns and the summary
    });

    test('JSON answers when asked; unknown sessions are 404; bad bodies 400', async () => {
      const id = await newSession();
      fake.scriptByPurpose({ chat: [say('plain json')] });
      const res = await api()
        .post(`/api/chat/sessions/${id}/messages`)
        .set('Accept', 'application/json')
        .send({ content: 'hi' })
        .expect(200);
      expect(res.body).toMatchObject({ text: 'plain json', session: { id } });
      expect(res.body.events.at(-1)).toMatchObject({ type: 'done', reason: 'end_turn' });
      expect((await api().get('/api/chat/sessions/c_000000000000')).status).toBe(404);
      expect((await api().post(`/api/chat/sessions/${id}/messages`).send({ content: '' })).status).toBe(400);
      expect((await api().post('/api/chat/sessions').send({ project: 'relative/dir' })).status).toBe(400);
      expect((await api().post('/api/chat/sessions').send({ project: '/tmp/../etc' })).status).toBe(400);
      const missing = await api().post('/api/chat/sessions').send({ repository: '/no/such/repository' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toMatch(/not a directory/);
      expect(
        (await api().post('/api/chat/sessions').send({ repository: 'repo:r_000000000000' })).status,
      ).toBe(404);
      expect(
        (await api().post('/api/chat/sessions').send({ project: '/proc/no-workspace-here' })).status,
      ).toBe(400);
      expect(
        (await api().post(`/api/chat/sessions/${id}/approvals/toolu_none`).send({ decision: 'approve' }))
          .status,
      ).toBe(409);
    });
  });
});
