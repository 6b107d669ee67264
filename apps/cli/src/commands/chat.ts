import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { Command } from 'commander';
import { readJsonAnswer, SseParser, type ApiClient } from '../api-client';
import { contextOf, type Deps } from '../context';
import { CliError } from '../errors';

interface Usage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

interface SessionView {
  id: string;
  project: string | null;
  repository: string | null;
  messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }>;
  pending: { callId: string; params: Record<string, unknown>; reason: string; estimateUsd: number } | null;
  runs: Array<{
    runId: string;
    planId: string;
    status: string;
    params: { task: string };
    result: { usage: Usage } | null;
  }>;
  usage: { conversation: Usage; runs: Usage; totalCostUsd: number };
}

interface SessionSummary {
  id: string;
  updatedAt: string;
  project: string | null;
  lastMessage: string;
  runs: number;
  costUsd: number;
}

const usd = (n: number) => `$${n.toFixed(4)}`;

/**
 * `chunkwise chat`: a terminal conversation with the orchestrator over the REST API. Answers stream
 * as they come (SSE); a run asks for approval here (approve, edit, cancel); its progress and result
 * are shown while it runs. Everything is in the session's event stream on the server, so
 * `--session <id>` resumes it after any restart.
 */
export function chatCommand(deps: Deps): Command {
  return new Command('chat')
    .description('talk with the Chunkwise orchestrator: it answers or plans and launches runs (docs/chat.md)')
    .option(
      '--project <dir>',
      'project workspace (CONTEXT.md, filepaths.json, runs/, deliverables/); created if missing',
    )
    .option(
      '--repo <ref>',
      'where runs execute: a git work tree path or repo:<id> (default: the project when it is one)',
    )
    .option('--session <id>', 'resume a chat session')
    .option('--list', 'list chat sessions and exit')
    .action(
      async (opts: { project?: string; repo?: string; session?: string; list?: boolean }, cmd: Command) => {
        const ctx = contextOf(cmd, deps);
        const client = ctx.client();
        if (opts.list) {
          const sessions = await client.request<SessionSummary[]>('GET', '/chat/sessions');
          if (ctx.json) return ctx.io.out(JSON.stringify(sessions, null, 2));
          if (!sessions.length) return ctx.io.out('no chat sessions yet (chunkwise chat starts one)');
          for (const s of sessions)
            ctx.io.out(
              `${s.id}  ${s.updatedAt}  ${s.project ?? '-'}  ${s.runs} runs  ${usd(s.costUsd)}  ${s.lastMessage}`,
            );
          return;
        }
        let session: SessionView;
        if (opts.session) {
          session = await client.request<SessionView>(
            'GET',
            `/chat/sessions/${encodeURIComponent(opts.session)}`,
          );
        } else {
          const body: Record<string, string> = {};
          if (opts.project) body.project = path.resolve(opts.project);
          if (opts.repo)
            body.repository = opts.repo.startsWith('repo:') ? opts.repo : path.resolve(opts.repo);
          session = await client.request<SessionView>('POST', '/chat/sessions', { body: { json: body } });
        }
        await new TerminalChat(client, session).run();
      },
    );
}

class TerminalChat {
  private readonly rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  private closed = false;

  constructor(
    private readonly client: ApiClient,
    private session: SessionView,
  ) {
    this.rl.on('close', () => (this.closed = true));
  }

  private print(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  async run(): Promise<void> {
    const s = this.session;
    this.print(`chat ${s.id} — project ${s.project ?? '(none)'}, repository ${s.repository ?? '(none)'}`);
    this.print('type a message; /runs, /cost, /cancel <run>, /quit');
    for (const m of s.messages.slice(-6)) {
      const text = m.content.flatMap((b) => (b.type === 'text' && b.text ? [b.text] : [])).join(' ');
      if (text) this.print(`${m.role === 'user' ? 'you' : 'claude'}> ${text}`);
    }
    if (s.pending) await this.approve();
    while (!this.closed) {
      let line: string;
      try {
        line = (await this.rl.question('you> ')).trim();
      } catch {
        break; // input closed
      }
      if (!line) continue;
      if (line === '/quit' || line === '/exit') break;
      try {
        if (line === '/runs') this.runs();
        else if (line === '/cost') this.cost();
        else if (line.startsWith('/cancel ')) await this.cancel(line.slice('/cancel '.length).trim());
        else {
          await this.turn(`/chat/sessions/${this.session.id}/messages`, { content: line });
          while (this.session.pending && !this.closed) await this.approve();
        }
      } catch (e) {
        this.print(`error: ${e instanceof Error ? e.message : String(e)}`);
        if (e instanceof CliError) for (const d of e.details) this.print(`  ${d}`);
      }
    }
    this.rl.close();
    this.print(`chat ${this.session.id} saved; resume it with: chunkwise chat --session ${this.session.id}`);
  }

  private runs(): void {
    if (!this.session.runs.length) return this.print('no runs yet');
    for (const r of this.session.runs)
      this.print(
        `${r.runId}  ${r.status}  plan ${r.planId}  ${usd(r.result?.usage.costUsd ?? 0)}  ${r.params.task.split('\n')[0]}`,
      );
  }

  private cost(): void {
    const u = this.session.usage;
    this.print(
      `conversation ${usd(u.conversation.costUsd)} (${u.conversation.inputTokens + u.conversation.outputTokens} tokens), ` +
        `runs ${usd(u.runs.costUsd)}, total ${usd(u.totalCostUsd)}`,
    );
  }

  private async cancel(runId: string): Promise<void> {
    await this.client.request(
      'POST',
      `/chat/sessions/${this.session.id}/runs/${encodeURIComponent(runId)}/cancel`,
      {
        body: { json: {} },
      },
    );
    this.print(`cancelling ${runId}`);
  }

  /** Asks the user about the run waiting for approval, then goes on with the turn. */
  private async approve(): Promise<void> {
    const pending = this.session.pending!;
    this.print(
      `run waiting for approval${pending.reason === 'budget' ? ' (it may exceed the budget)' : ''}, about ${usd(pending.estimateUsd)}:`,
    );
    this.print(JSON.stringify(pending.params, null, 2));
    for (;;) {
      const answer = (await this.rl.question('approve, edit or cancel? [a/e/c] ')).trim().toLowerCase();
      const url = `/chat/sessions/${this.session.id}/approvals/${encodeURIComponent(pending.callId)}`;
      if (answer === 'a' || answer === 'approve') return this.turn(url, { decision: 'approve' });
      if (answer === 'c' || answer === 'cancel') return this.turn(url, { decision: 'cancel' });
      if (answer === 'e' || answer === 'edit') {
        const json = await this.rl.question('parameters to change, as JSON (e.g. {"agent_mode":"single"}): ');
        let changes: unknown;
        try {
          changes = JSON.parse(json);
        } catch {
          this.print('not JSON; try again');
          continue;
        }
        return this.turn(url, { decision: 'edit', params: { ...pending.params, ...(changes as object) } });
      }
    }
  }

  /** POSTs and renders the streamed answer until the turn ends. */
  private async turn(route: string, body: unknown): Promise<void> {
    const url = `${this.client.base}${route}`;
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'content-type': 'application/json',
    };
    const token = process.env.CHUNKWISE_API_TOKEN;
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    if (
      !response.ok ||
      !response.body ||
      !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')
    ) {
      const text = await response.text();
      readJsonAnswer(
        { method: 'POST', url: new URL(url), token: token ?? null, root: this.client.root },
        {
          status: response.status,
          statusText: response.statusText,
          text,
        },
      );
      return;
    }
    let inText = false;
    const endText = () => {
      if (inText) process.stdout.write('\n');
      inText = false;
    };
    const parser = new SseParser(({ event, data }) => {
      const e = JSON.parse(data);
      switch (event) {
        case 'text':
          if (!inText) process.stdout.write('claude> ');
          inText = true;
          process.stdout.write(e.text);
          break;
        case 'approval_required':
          endText();
          break;
        case 'run_launched':
          endText();
          this.print(`▶ run ${e.runId} launched (plan ${e.planId})`);
          break;
        case 'run_progress':
          endText();
          this.print(
            `  ${e.runId}: ${e.status} ${e.completed}/${e.total} done${e.failed ? `, ${e.failed} failed` : ''}${e.running.length ? `, running ${e.running.join(', ')}` : ''}`,
          );
          break;
        case 'run_ended':
          endText();
          this.print(
            `■ run ${e.runId} ${e.result.status}: ${e.result.summary} (${usd(e.result.usage.costUsd)})`,
          );
          for (const f of e.result.failures) this.print(`  ! ${f}`);
          break;
        case 'tool_result':
          endText();
          if (e.name !== 'launch_run') this.print(`  [${e.name}${e.isError ? ' failed' : ''}]`);
          else if (e.isError) this.print(`  [launch_run failed: ${e.content.slice(0, 300)}]`);
          break;
        case 'compacted':
          endText();
          this.print('  (older turns summarised)');
          break;
        case 'error':
          endText();
          this.print(`error: ${e.message}`);
          break;
        case 'end':
          endText();
          this.session = e;
          this.print(
            `  [cost: conversation ${usd(e.usage.conversation.costUsd)}, runs ${usd(e.usage.runs.costUsd)}]`,
          );
          break;
      }
    });
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    endText();
  }
}
