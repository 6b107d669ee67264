/**
 * The Chunkwise MCP tools: a small set (15), each one or two REST calls through the ChunkwiseApi
 * port, answered as compact text with ids. A refusal of the server (validation, stale revision,
 * wrong state) comes back as a tool error (isError) in the server's words, with every validation
 * problem and the current revision when the server names them.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { z } from 'zod';
import { ChunkwiseApiError, type ApiIssue, type ChunkwiseApi } from './api';
import {
  formatHistory,
  formatIssues,
  formatPlan,
  formatPlanList,
  formatProgress,
  formatRollback,
  formatTemplate,
  type HistoryLike,
  type PlanLike,
  type ProgressLike,
  type RollbackLike,
  type ScheduleLike,
  type TemplateLike,
} from './format';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Planning calls are one or more LLM turns; the API's own LLM timeout is 10 min per request. */
const PLANNING_TIMEOUT_MS = 30 * 60_000;
/** How often a long call reports that it is still running. */
export const PROGRESS_INTERVAL_MS = 2_000;

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });
const toolError = (t: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text: t }] });

/** The text of a failed call: the server's message, its validation problems, the current revision. */
export function errorText(err: unknown): string {
  if (err instanceof ChunkwiseApiError) {
    // The server's message repeats the problems ("invalid plan document: a; b"): they follow one per line.
    const cut = err.issues.length ? err.message.indexOf(`: ${err.issues[0].message}`) : -1;
    const message = cut > 0 ? err.message.slice(0, cut) : err.message;
    const lines = [`${message}${err.code ? ` [${err.code}]` : ''} (HTTP ${err.status})`];
    if (err.issues.length) lines.push(`${err.issues.length} problem(s):`, ...formatIssues(err.issues));
    if (err.currentRevision !== undefined)
      lines.push(
        `current revision: ${err.currentRevision} (re-read the plan, then pass expectedRevision ${err.currentRevision})`,
      );
    return lines.join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}

async function run(fn: () => Promise<string | CallToolResult>): Promise<CallToolResult> {
  try {
    const out = await fn();
    return typeof out === 'string' ? text(out) : out;
  } catch (err) {
    return toolError(errorText(err));
  }
}

/**
 * Runs a long call, sending `notifications/progress` every PROGRESS_INTERVAL_MS while it runs
 * (when the client asked for progress with a progressToken), and a last one when it ends.
 */
export async function withProgress<T>(extra: Extra, label: string, fn: () => Promise<T>): Promise<T> {
  const token = extra._meta?.progressToken;
  if (token === undefined) return fn();
  const started = Date.now();
  let progress = 0;
  const send = (message: string) =>
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: ++progress, message },
      })
      .catch(() => undefined);
  await send(`${label}: started`);
  const timer = setInterval(
    () => void send(`${label}: waiting for Claude (${Math.round((Date.now() - started) / 1000)} s)`),
    PROGRESS_INTERVAL_MS,
  );
  try {
    const result = await fn();
    await send(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

const enc = encodeURIComponent;
const planId = z.string().min(1).describe('The plan id (p_…)');
const expectedRevision = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe('The plan revision this write is based on; a stale one is refused with the current revision');

interface WriteResult {
  id: string;
  revision: number;
}
const written = (w: WriteResult, what: string) => `${what}: plan ${w.id} is now at revision ${w.revision}.`;

export function registerTools(server: McpServer, api: ChunkwiseApi): void {
  const showPlan = async (
    id: string,
    signal: AbortSignal,
    opts: { revision?: number; chunk?: string; details?: boolean } = {},
  ) =>
    formatPlan(
      await api.request<PlanLike>('GET', `/plans/${enc(id)}`, { query: { revision: opts.revision }, signal }),
      opts,
    );

  server.registerTool(
    'list_plans',
    {
      title: 'List plans',
      description: 'The plans, most recently updated first: id, revision, status, title, counts.',
      inputSchema: {
        status: z
          .string()
          .optional()
          .describe('Only plans in this status (draft, finalized, executing, paused, completed, …)'),
        repository: z.string().optional().describe('Only plans of this repository'),
        includeArchived: z.boolean().optional(),
      },
      annotations: { readOnlyHint: true },
    },
    (args, extra) =>
      run(async () => {
        const { plans } = await api.request<{ plans: PlanLike[] }>('GET', '/plans', {
          query: {
            status: args.status,
            repository: args.repository,
            includeArchived: args.includeArchived ? 'true' : undefined,
          },
          signal: extra.signal,
        });
        return formatPlanList(plans);
      }),
  );

  server.registerTool(
    'show_plan',
    {
      title: 'Show a plan',
      description:
        'A plan grouped by chunk: each chunk (mode, pauseAfter) with its tasks (id, status, title, dependencies). ' +
        'details adds descriptions and acceptance criteria; chunk shows one chunk only; revision shows an older revision.',
      inputSchema: {
        planId,
        details: z.boolean().optional(),
        chunk: z.string().optional().describe('A chunk key: only that chunk'),
        revision: z.number().int().min(1).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    (args, extra) => run(() => showPlan(args.planId, extra.signal, args)),
  );

  /** A draft plan rendered from a template; an unknown template answers with the ones there are. */
  const createFromTemplate = async (
    name: string,
    args: { params?: Record<string, string>; repository?: string },
    signal: AbortSignal,
  ): Promise<string | CallToolResult> => {
    try {
      const w = await api.request<WriteResult>('POST', `/templates/${enc(name)}/plans`, {
        json: { params: args.params ?? {}, ...(args.repository ? { repository: args.repository } : {}) },
        signal,
      });
      return `${written(w, `Created from template ${name}`)}\n\n${await showPlan(w.id, signal)}`;
    } catch (err) {
      if (!(err instanceof ChunkwiseApiError) || err.status !== 404) throw err;
      const { templates } = await api.request<{ templates: TemplateLike[] }>('GET', '/templates', { signal });
      return toolError([errorText(err), 'templates:', ...templates.map(formatTemplate)].join('\n'));
    }
  };

  server.registerTool(
    'create_plan',
    {
      title: 'Create or import a plan',
      description:
        'Creates a draft plan from a Chunkwise plan document (an object, or YAML/JSON text: title, description, ' +
        'repository, execution, chunks [{key,title,executionMode,pauseAfter}], tasks [{id,chunk,title,description,dependsOn,acceptance}]). ' +
        'With format (auto, openspec, speckit, kiro, taskmaster, massgen, chunkwise) the text is imported from that format instead. ' +
        'With template (a template name, e.g. add-crud-resource, add-authentication, add-api-endpoint, upgrade-dependency, fix-bug) ' +
        'and params, the plan is rendered from that template instead (an unknown name lists the templates and their parameters). ' +
        'An invalid document is refused with every problem listed.',
      inputSchema: {
        document: z
          .union([z.string(), z.record(z.string(), z.unknown())])
          .optional()
          .describe('The plan document (object or YAML/JSON text), or the file content to import'),
        template: z.string().min(1).optional().describe('Create from this template instead of a document'),
        params: z
          .record(z.string(), z.string())
          .optional()
          .describe('Template: the parameter values, e.g. {"resource": "invoice"}'),
        format: z
          .string()
          .optional()
          .describe('Import from this format (auto recognises it); omit for a Chunkwise document'),
        filename: z.string().optional().describe('Import: the file name (helps recognition)'),
        title: z.string().optional().describe('Import: overrides the title found in the source'),
        repository: z.string().optional().describe('Import: the repository the plan targets'),
      },
    },
    (args, extra) =>
      run(async () => {
        if (args.template !== undefined) return createFromTemplate(args.template, args, extra.signal);
        if (args.document === undefined)
          return toolError(
            'Give a plan document (or a file to import with format), or a template with params.',
          );
        if (args.format !== undefined) {
          const content =
            typeof args.document === 'string' ? args.document : JSON.stringify(args.document, null, 2);
          const r = await api.request<{
            id?: string;
            revision?: number;
            format: string;
            tasks: number;
            chunks: number;
            warnings?: Array<{ message?: string }>;
            plans?: Array<{ id?: string; tasks: number }>;
          }>('POST', '/plans/import', {
            json: {
              content,
              format: args.format,
              filename: args.filename,
              title: args.title,
              repository: args.repository,
            },
            signal: extra.signal,
          });
          if (r.plans)
            return `Imported ${r.plans.length} plan(s): ${r.plans.map((p) => `${p.id} (${p.tasks} tasks)`).join(', ')}`;
          const warnings = (r.warnings ?? []).map((w) => `- ${w.message ?? JSON.stringify(w)}`);
          return [
            `Imported plan ${r.id} (revision ${r.revision}) from ${r.format}: ${r.chunks} chunks, ${r.tasks} tasks.`,
            ...(warnings.length ? ['warnings:', ...warnings] : []),
          ].join('\n');
        }
        const w = await api.request<WriteResult>('POST', '/plans', {
          ...(typeof args.document === 'string' ? { yaml: args.document } : { json: args.document }),
          signal: extra.signal,
        });
        return `${written(w, 'Created')}\n\n${await showPlan(w.id, extra.signal)}`;
      }),
  );

  server.registerTool(
    'edit_plan',
    {
      title: 'Edit a plan',
      description:
        'One edit of a draft plan, as a new revision. action: update_plan (fields: title, description, repository, execution), ' +
        'add_chunk (fields: key, title, description, executionMode, pauseAfter; index), update_chunk (chunkKey; fields), ' +
        'remove_chunk (chunkKey), reorder_chunks (order), add_task (fields: id, chunk, title, description, dependsOn, acceptance, canRunInParallel; beforeTaskId), ' +
        'update_task (taskId; fields: title, description, acceptance, canRunInParallel, labels, optional), remove_task (taskId), ' +
        'move_task (taskId, toChunk, beforeTaskId), set_dependencies (taskId, dependsOn), reopen (a finalized plan back to draft; reason). ' +
        'Pass expectedRevision to refuse the edit if the plan changed meanwhile.',
      inputSchema: {
        planId,
        action: z.enum([
          'update_plan',
          'add_chunk',
          'update_chunk',
          'remove_chunk',
          'reorder_chunks',
          'add_task',
          'update_task',
          'remove_task',
          'move_task',
          'set_dependencies',
          'reopen',
        ]),
        taskId: z.string().optional(),
        chunkKey: z.string().optional(),
        fields: z.record(z.string(), z.unknown()).optional().describe('The fields to set (add_*, update_*)'),
        dependsOn: z.array(z.string()).optional(),
        toChunk: z.string().optional(),
        beforeTaskId: z.string().optional(),
        order: z.array(z.string()).optional().describe('reorder_chunks: every chunk key once'),
        index: z.number().int().min(0).optional().describe('add_chunk: position (default last)'),
        reason: z.string().optional(),
        expectedRevision,
      },
    },
    (args, extra) =>
      run(async () => {
        const plan = `/plans/${enc(args.planId)}`;
        const need = (value: string | undefined, name: string) => {
          if (!value) throw new Error(`${args.action} needs ${name}`);
          return enc(value);
        };
        const rev = args.expectedRevision === undefined ? {} : { expectedRevision: args.expectedRevision };
        const fields = args.fields ?? {};
        const [method, path, body]: [string, string, unknown] = (() => {
          switch (args.action) {
            case 'update_plan':
              return ['PATCH', plan, { ...fields, ...rev }];
            case 'add_chunk':
              return [
                'POST',
                `${plan}/chunks`,
                { ...fields, ...(args.chunkKey ? { key: args.chunkKey } : {}), index: args.index, ...rev },
              ];
            case 'update_chunk':
              return ['PATCH', `${plan}/chunks/${need(args.chunkKey, 'chunkKey')}`, { ...fields, ...rev }];
            case 'remove_chunk':
              return ['DELETE', `${plan}/chunks/${need(args.chunkKey, 'chunkKey')}`, rev];
            case 'reorder_chunks':
              return ['PUT', `${plan}/chunks/order`, { order: args.order ?? [], ...rev }];
            case 'add_task':
              return [
                'POST',
                `${plan}/tasks`,
                {
                  ...fields,
                  ...(args.taskId ? { id: args.taskId } : {}),
                  beforeTaskId: args.beforeTaskId,
                  ...rev,
                },
              ];
            case 'update_task':
              return ['PATCH', `${plan}/tasks/${need(args.taskId, 'taskId')}`, { ...fields, ...rev }];
            case 'remove_task':
              return ['DELETE', `${plan}/tasks/${need(args.taskId, 'taskId')}`, rev];
            case 'move_task':
              return [
                'POST',
                `${plan}/tasks/${need(args.taskId, 'taskId')}/move`,
                { toChunk: args.toChunk, beforeTaskId: args.beforeTaskId, ...rev },
              ];
            case 'set_dependencies':
              return [
                'PUT',
                `${plan}/tasks/${need(args.taskId, 'taskId')}/dependencies`,
                { dependsOn: args.dependsOn ?? [], ...rev },
              ];
            case 'reopen':
              return ['POST', `${plan}/reopen`, { reason: args.reason, ...rev }];
          }
        })();
        const w = await api.request<WriteResult>(method, path, { json: body, signal: extra.signal });
        return written(w, args.action);
      }),
  );

  server.registerTool(
    'validate_plan',
    {
      title: 'Validate a plan',
      description:
        'Checks a stored plan (planId) or a plan document (document, nothing stored) and lists every problem at once. ' +
        'An invalid plan is a tool error listing the problems.',
      inputSchema: {
        planId: planId.optional(),
        document: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    (args, extra) =>
      run(async () => {
        if (!args.planId && args.document === undefined) throw new Error('give planId or document');
        const result = args.planId
          ? await api.request<{ valid: boolean; issues: ApiIssue[] }>(
              'POST',
              `/plans/${enc(args.planId)}/validate`,
              { signal: extra.signal },
            )
          : await api.request<{ valid: boolean; issues: ApiIssue[] }>('POST', '/plans/validate', {
              ...(typeof args.document === 'string' ? { yaml: args.document } : { json: args.document }),
              signal: extra.signal,
            });
        const what = args.planId ? `plan ${args.planId}` : 'the document';
        if (result.valid && result.issues.length === 0) return `${what} is valid.`;
        const lines = [
          `${what} is ${result.valid ? 'valid, with warnings' : 'invalid'}: ${result.issues.length} problem(s)`,
          ...formatIssues(result.issues),
        ];
        return result.valid ? lines.join('\n') : toolError(lines.join('\n'));
      }),
  );

  server.registerTool(
    'generate_plan',
    {
      title: 'Generate a plan with Claude',
      description:
        "Claude writes a draft plan from a description (the repository's tree and key files as context). Long: reports progress.",
      inputSchema: {
        title: z.string().min(1),
        description: z.string().min(1),
        repository: z.string().optional().describe('A path on the API machine or repo:<id>'),
        targetChunks: z.number().int().min(1).max(50).optional(),
        depth: z.enum(['brief', 'standard', 'detailed']).optional(),
      },
    },
    (args, extra) =>
      run(async () => {
        const w = await withProgress(extra, 'generate', () =>
          api.request<WriteResult>('POST', '/plans/generate', {
            json: args,
            signal: extra.signal,
            timeoutMs: PLANNING_TIMEOUT_MS,
          }),
        );
        return `${written(w, 'Generated')}\n\n${await showPlan(w.id, extra.signal)}`;
      }),
  );

  server.registerTool(
    'review_plan',
    {
      title: 'Review a plan with Claude',
      description:
        'Claude reviews the plan one way and returns a suggestion set (nothing changes until apply_suggestions). ' +
        'type: refine_descriptions | add_missing | optimize_order | break_down; scope all | chunk | task (with targetId). Long: reports progress.',
      inputSchema: {
        planId,
        type: z.enum(['refine_descriptions', 'add_missing', 'optimize_order', 'break_down']),
        scope: z.enum(['all', 'chunk', 'task']).optional(),
        targetId: z.string().optional(),
        expectedRevision,
      },
    },
    (args, extra) =>
      run(async () => {
        const { planId: id, ...body } = args;
        const set = await withProgress(extra, 'review', () =>
          api.request<{
            setId: string;
            revision: number;
            suggestions: Array<{
              id: string;
              kind: string;
              taskId?: string;
              chunkKey?: string;
              reasoning?: string;
            }>;
          }>('POST', `/plans/${enc(id)}/review`, {
            json: body,
            signal: extra.signal,
            timeoutMs: PLANNING_TIMEOUT_MS,
          }),
        );
        return [
          `Suggestion set ${set.setId} for plan ${id} (made against revision ${set.revision}): ${set.suggestions.length} suggestion(s).`,
          ...set.suggestions.map((s) => {
            const target = s.taskId ?? s.chunkKey;
            return `- ${s.id} ${s.kind}${target ? ` ${target}` : ''}: ${(s.reasoning ?? '').replace(/\s+/g, ' ').slice(0, 240)}`;
          }),
          'Apply the chosen ones with apply_suggestions (setId and ids).',
        ].join('\n');
      }),
  );

  server.registerTool(
    'apply_suggestions',
    {
      title: 'Apply review suggestions',
      description: 'Applies the chosen suggestions of a review as one new revision.',
      inputSchema: { planId, setId: z.string().min(1), ids: z.array(z.string()).min(1), expectedRevision },
    },
    (args, extra) =>
      run(async () => {
        const w = await api.request<WriteResult>(
          'POST',
          `/plans/${enc(args.planId)}/suggestions/${enc(args.setId)}/apply`,
          {
            json: { ids: args.ids, expectedRevision: args.expectedRevision },
            signal: extra.signal,
          },
        );
        return written(w, `Applied ${args.ids.length} suggestion(s)`);
      }),
  );

  server.registerTool(
    'refine_plan',
    {
      title: 'Refine a plan with Claude',
      description:
        'A planning turn on feedback: multi (several drafts in parallel, then a judge) or single (one quick edit). ' +
        'Writes a new revision. Long: reports progress.',
      inputSchema: {
        planId,
        feedback: z.string().min(1),
        mode: z.enum(['multi', 'single']).optional(),
        drafts: z.number().int().min(2).max(5).optional(),
        expectedRevision,
      },
    },
    (args, extra) =>
      run(async () => {
        const { planId: id, ...body } = args;
        const r = await withProgress(extra, 'refine', () =>
          api.request<WriteResult & { summary?: string | null; rationale?: string | null }>(
            'POST',
            `/plans/${enc(id)}/refine`,
            {
              json: body,
              signal: extra.signal,
              timeoutMs: PLANNING_TIMEOUT_MS,
            },
          ),
        );
        return [
          written(r, 'Refined'),
          r.summary ?? '',
          r.rationale ? `rationale: ${r.rationale}` : '',
          '',
          await showPlan(id, extra.signal),
        ]
          .filter((l, i) => l !== '' || i === 3)
          .join('\n');
      }),
  );

  server.registerTool(
    'finalize_plan',
    {
      title: 'Finalize a plan',
      description:
        "Freezes the plan's current revision so it can be executed (a plan with problems is refused, every problem listed).",
      inputSchema: { planId, expectedRevision },
    },
    (args, extra) =>
      run(async () => {
        const w = await api.request<WriteResult>('POST', `/plans/${enc(args.planId)}/finalize`, {
          json: args.expectedRevision === undefined ? {} : { expectedRevision: args.expectedRevision },
          signal: extra.signal,
        });
        return written(w, 'Finalized');
      }),
  );

  server.registerTool(
    'execute_plan',
    {
      title: 'Execute a plan',
      description:
        'Starts a session of the finalized plan: chunk by chunk, one agent turn per task, QA gates, a commit per task. ' +
        'from: current (default: keep finished tasks) | beginning | chunk | task (with target); chunks: a key or a range C02-C04.',
      inputSchema: {
        planId,
        from: z.enum(['beginning', 'current', 'chunk', 'task']).optional(),
        target: z.string().optional(),
        chunks: z.string().optional(),
        options: z
          .object({
            maxAttempts: z.number().int().min(1).optional(),
            maxParallel: z.number().int().min(1).optional(),
            turnScope: z.enum(['task', 'chunk']).optional(),
          })
          .optional(),
        schedule: z
          .object({
            cron: z.string().optional().describe('Five fields, UTC, e.g. "0 3 * * 1-5"'),
            every: z.string().optional().describe('An interval, e.g. "1h", "30m"'),
            at: z.string().optional().describe('Once, at an ISO time with a zone'),
            overlap: z.enum(['refuse', 'queue']).optional(),
          })
          .optional()
          .describe(
            'Instead of now: schedule the execution (Temporal Schedules; exactly one of cron, every, at). ' +
              'overlap: a firing while a session is active is refused (default) or queued.',
          ),
      },
    },
    (args, extra) =>
      run(async () => {
        if (args.schedule) {
          const v = await api.request<ScheduleLike>('POST', `/plans/${enc(args.planId)}/schedules`, {
            json: {
              ...args.schedule,
              ...(args.from ? { from: args.from === 'beginning' ? 'beginning' : 'current' } : {}),
            },
            signal: extra.signal,
          });
          return `Scheduled plan ${args.planId}: schedule ${v.scheduleId}, ${v.description} (overlap ${v.overlap}). Its firings are on plan_history.`;
        }
        const { planId: id, schedule: _schedule, ...body } = args;
        const s = await api.request<{ sessionId: string; workflowId: string; revision: number }>(
          'POST',
          `/plans/${enc(id)}/execute`,
          {
            json: body,
            signal: extra.signal,
          },
        );
        return `Started session ${s.sessionId} of plan ${id} (revision ${s.revision}, workflow ${s.workflowId}). Follow it with session_progress.`;
      }),
  );

  server.registerTool(
    'control_session',
    {
      title: 'Pause, resume, stop, cancel or roll back a session',
      description:
        'pause: at the next safe boundary; resume: continue a paused session (or restart a stopped one from its checkpoint); ' +
        'stop: gracefully, resumable; cancel: now; rollback: undo an ended session (the latest, or sessionId) or one ' +
        "task's commit (taskId) on its branch in every repository — its tasks go back to pending; a conflict changes nothing.",
      inputSchema: {
        planId,
        action: z.enum(['pause', 'resume', 'stop', 'cancel', 'rollback']),
        reason: z.string().optional(),
        sessionId: z.string().optional().describe('rollback: the session (default the latest)'),
        taskId: z.string().optional().describe("rollback: undo only this task's commit"),
      },
    },
    (args, extra) =>
      run(async () => {
        if (args.action === 'rollback') {
          const r = await api.request<RollbackLike>('POST', `/plans/${enc(args.planId)}/rollback`, {
            json: {
              ...(args.sessionId ? { sessionId: args.sessionId } : {}),
              ...(args.taskId ? { taskId: args.taskId } : {}),
            },
            signal: extra.signal,
          });
          return formatRollback(r);
        }
        const r = await api.request<Record<string, unknown>>(
          'POST',
          `/plans/${enc(args.planId)}/${args.action}`,
          {
            json: args.action === 'resume' || !args.reason ? {} : { reason: args.reason },
            signal: extra.signal,
          },
        );
        if (args.action === 'resume')
          return `Session ${String(r.sessionId)} of plan ${args.planId}: ${String(r.action ?? 'resumed')}.`;
        return `${args.action} sent to session ${String(r.sessionId)} of plan ${args.planId}.`;
      }),
  );

  server.registerTool(
    'task_action',
    {
      title: 'Act on a task of the running session',
      description:
        "retry (a failed task, optionally with edit), skip (reason), complete (mark done by hand), approve (a manual chunk's task: " +
        'approveAction execute | skip, optionally with edit), edit (title, description, acceptance of a pending task).',
      inputSchema: {
        planId,
        taskId: z.string().min(1),
        action: z.enum(['retry', 'skip', 'complete', 'approve', 'edit']),
        reason: z.string().optional().describe('skip'),
        approveAction: z.enum(['execute', 'skip']).optional(),
        edit: z
          .object({
            title: z.string().optional(),
            description: z.string().optional(),
            acceptance: z.array(z.string()).optional(),
          })
          .optional(),
      },
    },
    (args, extra) =>
      run(async () => {
        const body =
          args.action === 'skip'
            ? { reason: args.reason }
            : args.action === 'complete'
              ? {}
              : args.action === 'edit'
                ? (args.edit ?? {})
                : args.action === 'approve'
                  ? { action: args.approveAction, edit: args.edit }
                  : { edit: args.edit };
        const r = await api.request<{ accepted?: boolean; reason?: string | null }>(
          'POST',
          `/plans/${enc(args.planId)}/tasks/${enc(args.taskId)}/${args.action}`,
          { json: body, signal: extra.signal },
        );
        if (r?.accepted === false)
          return toolError(`${args.action} ${args.taskId} rejected: ${r.reason ?? 'no reason given'}`);
        return `${args.action} ${args.taskId}: accepted${r?.reason ? ` (${r.reason})` : ''}.`;
      }),
  );

  server.registerTool(
    'session_progress',
    {
      title: 'Session progress',
      description:
        'The session of a plan: status, pause reason, per-chunk and per-task status, attempts, errors, commits.',
      inputSchema: { planId },
      annotations: { readOnlyHint: true },
    },
    (args, extra) =>
      run(async () =>
        formatProgress(
          await api.request<ProgressLike>('GET', `/plans/${enc(args.planId)}/progress`, {
            signal: extra.signal,
          }),
        ),
      ),
  );

  server.registerTool(
    'plan_history',
    {
      title: 'Plan history',
      description:
        "The plan's events (every edit, planning turn and session event), oldest first; limit keeps the last N (default 50).",
      inputSchema: { planId, limit: z.number().int().min(1).max(1000).optional() },
      annotations: { readOnlyHint: true },
    },
    (args, extra) =>
      run(async () =>
        formatHistory(
          await api.request<HistoryLike>('GET', `/plans/${enc(args.planId)}/history`, {
            signal: extra.signal,
          }),
          args.limit ?? 50,
        ),
      ),
  );
}
