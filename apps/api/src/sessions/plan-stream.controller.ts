import {
  Controller,
  Get,
  Headers,
  Inject,
  Logger,
  type OnApplicationShutdown,
  Param,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PlanNotFoundError } from '@chunkwise/application';
import { planStreamId } from '@chunkwise/domain';
import type { EventStore, StoredEvent } from '@chunkwise/event-store';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { ApiErrors } from '../common/openapi-decorators';
import { RequestValidationError } from '../common/error-response';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { EVENT_STORE } from '../infrastructure/tokens';
import { PlanEventFeed } from './plan-event-feed';
import { streamQuerySchema } from './session-schemas';

/** A comment line every this many ms keeps proxies and clients from timing the stream out. */
export const SSE_HEARTBEAT_MS = 15_000;

const frames = new WeakMap<StoredEvent, string>();

/**
 * One Server-Sent Event: `id` is the event's global position (resume with Last-Event-ID). Kept per event
 * object, so that the streams of one plan, which get the same event from the feed, serialize it once.
 */
export function sseFrame(event: StoredEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) frames.set(event, (frame = sseFrameOf(event)));
  return frame;
}

function sseFrameOf(event: StoredEvent): string {
  const data = JSON.stringify({
    type: event.type,
    position: event.position,
    streamRevision: event.revision,
    recordedAt: event.recordedAt,
    data: event.data,
  });
  return `id: ${event.position}\nevent: ${event.type}\ndata: ${data}\n\n`;
}

/**
 * `GET /plans/:id/stream`: the plan's events as Server-Sent Events, followed live from the event
 * store. Starts at the store's current end, or after the position given by `Last-Event-ID` (what
 * EventSource sends when it reconnects) or `?after=`. Stops following when the client goes away.
 */
@ApiTags('execution')
@Controller('plans/:id')
export class PlanStreamController implements OnApplicationShutdown {
  private readonly logger = new Logger('PlanStream');
  /** Open streams, ended on app.close() so that the HTTP server can close. */
  private readonly open = new Set<() => void>();

  onApplicationShutdown(): void {
    for (const end of [...this.open]) end();
  }

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly feed: PlanEventFeed,
  ) {}

  @Get('stream')
  @ApiOperation({
    summary: 'The plan’s events, live, as Server-Sent Events (id: position, event: type, data: JSON)',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'after', required: false, type: Number, description: 'Start after this position' })
  @ApiQuery({
    name: 'access_token',
    required: false,
    type: String,
    description: 'The API token, for clients that cannot send Authorization (a browser EventSource)',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Start after this position' })
  @ApiResponse({
    status: 200,
    description:
      'Frames `id: <position>`, `event: <type>`, `data: <JSON>`; a `: heartbeat` comment every 15 s',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiErrors(400, 401, 404)
  async stream(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(streamQuerySchema, 'query')) query: z.output<typeof streamQuerySchema>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { eventStore } = this;
    const streamId = planStreamId(id);
    if ((await eventStore.readStream(streamId, { maxCount: 1 })).length === 0)
      throw new PlanNotFoundError(id);
    let after = query.after;
    if (lastEventId !== undefined && lastEventId.trim() !== '') {
      if (!/^\d{1,15}$/.test(lastEventId.trim())) {
        throw new RequestValidationError(
          [{ code: 'schema', path: 'Last-Event-ID', message: 'Last-Event-ID must be an event position' }],
          'invalid request header',
        );
      }
      after = Number(lastEventId.trim());
    }
    after ??= await eventStore.headPosition();

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.write(`retry: 2000\n: following plan ${id} after position ${after}\n\n`);

    let ended = false;
    const heartbeat = setInterval(
      () => res.write(`: heartbeat ${new Date().toISOString()}\n\n`),
      SSE_HEARTBEAT_MS,
    );
    const end = () => {
      if (ended) return;
      ended = true;
      this.open.delete(end);
      clearInterval(heartbeat);
      unsubscribe();
      if (!res.writableEnded) res.end();
    };
    // A frame is written once the read models hold its event, so a client that refetches on it reads
    // the state it announces (the stream follows the event store; GETs read the read models). In order.
    const unsubscribe = this.feed.subscribe(
      streamId,
      after,
      (event) => {
        if (!ended) res.write(sseFrame(event));
      },
      (error) => {
        if (!ended)
          this.logger.warn(
            `stream of plan ${id} ended: ${error instanceof Error ? error.message : String(error)}`,
          );
        end();
      },
    );
    this.open.add(end);
    res.on('close', end);
    if (res.destroyed || req.socket.destroyed) end(); // the client left while we were getting ready
  }
}
