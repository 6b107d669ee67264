import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { ChatService, type ChatStreamEvent } from '@chunkwise/application';
import type { ChatSessionState } from '@chunkwise/domain';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { mapError } from '../common/error-mapping';
import {
  approvalBodySchema,
  cancelChatRunBodySchema,
  chatMessageBodySchema,
  chatSessionView,
  createChatBodySchema,
} from './chat-schemas';

/** Whether the client asked for one JSON answer instead of the SSE stream. */
const wantsJson = (req: Request) =>
  req.query.stream === 'false' ||
  (/application\/json/.test(req.headers.accept ?? '') &&
    !/text\/event-stream/.test(req.headers.accept ?? ''));

/**
 * The chat (interactive mode, docs/chat.md): sessions with the orchestrating model, which answers or
 * launches runs. A message's answer streams as SSE (`event: <type>` frames of ChatStreamEvent, then
 * `event: end` with the session), or comes back as one JSON object when the client asks for JSON.
 */
@ApiTags('chat')
@Controller('chat/sessions')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post()
  @HttpCode(201)
  @ApiBodyOf('CreateChatSession')
  @ApiOperation({ summary: 'Start a chat session (optionally in a project workspace and on a repository)' })
  @ApiResult(201, 'ChatSession')
  @ApiErrors(400, 401, 404, 413)
  async create(
    @Body(new ZodValidationPipe(createChatBodySchema)) body: z.output<typeof createChatBodySchema>,
  ) {
    return chatSessionView(await this.chat.create(body));
  }

  @Get()
  @ApiOperation({
    summary: 'Chat sessions, most recently active first (time, project, last message preview)',
  })
  @ApiResult(200, 'ChatSessionList')
  @ApiErrors(401)
  list() {
    return this.chat.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'A chat session: messages, runs, pending approval, usage and cost' })
  @ApiResult(200, 'ChatSession')
  @ApiErrors(401, 404)
  async get(@Param('id') id: string) {
    return chatSessionView(await this.chat.get(id));
  }

  @Post(':id/messages')
  @ApiBodyOf('ChatMessage')
  @ApiProduces('text/event-stream', 'application/json')
  @ApiOperation({
    summary:
      'Send a message; the answer (text, tool calls, run progress and results, approvals) streams as SSE, or JSON with Accept: application/json',
  })
  @ApiErrors(400, 401, 404, 409, 413, 503)
  async message(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(chatMessageBodySchema)) body: z.output<typeof chatMessageBodySchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.respond(req, res, (emit, signal) => this.chat.send(id, body.content, emit, signal));
  }

  @Post(':id/approvals/:callId')
  @ApiBodyOf('RunApproval')
  @ApiProduces('text/event-stream', 'application/json')
  @ApiOperation({
    summary:
      'Approve, edit (new parameters) or cancel the run waiting for approval; the turn then goes on (streamed like a message)',
  })
  @ApiErrors(400, 401, 404, 409, 413, 503)
  async approval(
    @Param('id') id: string,
    @Param('callId') callId: string,
    @Body(new ZodValidationPipe(approvalBodySchema)) body: z.output<typeof approvalBodySchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.respond(req, res, (emit, signal) =>
      this.chat.resolveApproval(id, callId, body.decision, body.params, emit, signal),
    );
  }

  @Post(':id/runs/:runId/cancel')
  @HttpCode(202)
  @ApiBodyOf('CancelChatRun')
  @ApiOperation({ summary: 'Cancel a run of the session (the chat following it reports the result)' })
  @ApiErrors(400, 401, 404, 409, 503)
  async cancelRun(
    @Param('id') id: string,
    @Param('runId') runId: string,
    @Body(new ZodValidationPipe(cancelChatRunBodySchema)) body: z.output<typeof cancelChatRunBodySchema>,
  ) {
    const run = await this.chat.cancelRun(id, runId, body.reason);
    return { runId: run.runId, planId: run.planId, cancelling: true };
  }

  /**
   * Runs a turn, streaming its events as SSE once the first one comes (so a refusal before anything
   * happened is still a plain 4xx), or collecting them for one JSON answer.
   */
  private async respond(
    req: Request,
    res: Response,
    turn: (emit: (e: ChatStreamEvent) => void, signal: AbortSignal) => Promise<ChatSessionState>,
  ): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    if (wantsJson(req)) {
      const events: ChatStreamEvent[] = [];
      const state = await turn((e) => events.push(e), abort.signal);
      const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
      res
        .status(200)
        .json({ text, events: events.filter((e) => e.type !== 'text'), session: chatSessionView(state) });
      return;
    }
    const open = () => {
      if (res.headersSent) return;
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
    };
    const frame = (event: string, data: unknown) => {
      if (!res.writableEnded && !res.destroyed)
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const heartbeat = setInterval(() => {
      if (res.headersSent && !res.writableEnded) res.write(`: heartbeat\n\n`);
    }, 15_000);
    try {
      const state = await turn((e) => {
        open();
        frame(e.type, e);
      }, abort.signal);
      open();
      frame('end', chatSessionView(state));
    } catch (e) {
      if (!res.headersSent) throw e;
      const mapped = mapError(e);
      frame('error', mapped.internal ? { status: 500, message: 'internal error' } : mapped.body);
    } finally {
      clearInterval(heartbeat);
      if (res.headersSent && !res.writableEnded) res.end();
    }
  }
}
