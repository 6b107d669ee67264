import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import {
  Command,
  CommandBus,
  CommandHandler,
  type ICommandHandler,
  type IQueryHandler,
  Query,
  QueryBus,
  QueryHandler,
} from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ScheduleService, type ScheduleView } from '@chunkwise/application';
import type { EventStore } from '@chunkwise/event-store';
import { ApiBodyOf, ApiErrors, ApiResult } from '../common/openapi-decorators';
import { Write, type WriteContext } from '../common/request-context';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ProjectionSync } from '../infrastructure/projection-sync.service';
import { EVENT_STORE } from '../infrastructure/tokens';
import {
  type CreateScheduleBody,
  createScheduleBodySchema,
  type ScheduleActionBody,
  scheduleActionBodySchema,
} from './schedule-schemas';

export type ScheduleAction = 'pause' | 'resume' | 'trigger' | 'delete';

export class CreateScheduleCommand extends Command<ScheduleView> {
  constructor(
    readonly planId: string,
    readonly body: CreateScheduleBody,
    readonly actor: string,
  ) {
    super();
  }
}
export class ScheduleActionCommand extends Command<ScheduleView> {
  constructor(
    readonly planId: string,
    readonly scheduleId: string,
    readonly action: ScheduleAction,
    readonly body: ScheduleActionBody,
    readonly actor: string,
  ) {
    super();
  }
}
/** A plan's schedules, or every plan's (planId null). */
export class ListSchedulesQuery extends Query<ScheduleView[]> {
  constructor(readonly planId: string | null) {
    super();
  }
}

/** Read-your-writes: the plan's history shows the schedule event once the answer is sent. */
@Injectable()
export class ScheduleWrites {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly sync: ProjectionSync,
  ) {}

  async caughtUp<T>(result: T): Promise<T> {
    await this.sync.waitFor(await this.eventStore.headPosition());
    return result;
  }
}

@CommandHandler(CreateScheduleCommand)
export class CreateScheduleHandler implements ICommandHandler<CreateScheduleCommand> {
  constructor(
    private readonly schedules: ScheduleService,
    private readonly writes: ScheduleWrites,
  ) {}
  async execute({ planId, body, actor }: CreateScheduleCommand): Promise<ScheduleView> {
    return this.writes.caughtUp(await this.schedules.create(planId, body, { actor }));
  }
}

@CommandHandler(ScheduleActionCommand)
export class ScheduleActionHandler implements ICommandHandler<ScheduleActionCommand> {
  constructor(
    private readonly schedules: ScheduleService,
    private readonly writes: ScheduleWrites,
  ) {}
  async execute({ planId, scheduleId, action, body, actor }: ScheduleActionCommand): Promise<ScheduleView> {
    const options = { actor, note: body.note ?? null };
    return this.writes.caughtUp(await this.schedules[action](planId, scheduleId, options));
  }
}

@QueryHandler(ListSchedulesQuery)
export class ListSchedulesHandler implements IQueryHandler<ListSchedulesQuery> {
  constructor(private readonly schedules: ScheduleService) {}
  execute({ planId }: ListSchedulesQuery): Promise<ScheduleView[]> {
    return planId === null ? this.schedules.listAll() : this.schedules.list(planId);
  }
}

export const SCHEDULE_PROVIDERS = [
  ScheduleWrites,
  CreateScheduleHandler,
  ScheduleActionHandler,
  ListSchedulesHandler,
];

const actionBody = new ZodValidationPipe(scheduleActionBodySchema);

/** Schedules of finalized plans (Temporal Schedules): at a time, every interval, or on a cron. */
@ApiTags('schedules')
@Controller()
export class SchedulesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('plans/:id/schedules')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Schedule a finalized plan: once `at` a time, `every` interval, or on a `cron` (UTC)',
    description:
      'Each firing starts a session as POST /plans/:id/execute does. `overlap`: a firing while a session of the plan is active is refused (recorded as ScheduleFiringSkipped) or queued (runs when that session ends).',
  })
  @ApiParam({ name: 'id' })
  @ApiBodyOf('CreateSchedule')
  @ApiResult(201, 'Schedule', 'Created (recorded as ScheduleCreated, then created in Temporal)')
  @ApiErrors(400, 401, 404, 409, 415, 503)
  async create(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(createScheduleBodySchema)) body: CreateScheduleBody,
    @Write() write: WriteContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const view = await this.commands.execute(new CreateScheduleCommand(id, body, write.actor));
    res.setHeader('Location', `/api/plans/${id}/schedules/${view.scheduleId}`);
    return view;
  }

  @Get('plans/:id/schedules')
  @ApiOperation({ summary: "The plan's schedules (not deleted), each with Temporal's description" })
  @ApiResult(200, 'ScheduleList')
  @ApiErrors(401, 404)
  async list(@Param('id') id: string) {
    return { schedules: await this.queries.execute(new ListSchedulesQuery(id)) };
  }

  @Get('schedules')
  @ApiOperation({ summary: "Every plan's schedules that Temporal holds" })
  @ApiResult(200, 'ScheduleList')
  @ApiErrors(401, 503)
  async listAll() {
    return { schedules: await this.queries.execute(new ListSchedulesQuery(null)) };
  }

  @Post('plans/:id/schedules/:sid/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: no firing until resumed (recorded as SchedulePaused)' })
  @ApiBodyOf('ScheduleAction')
  @ApiResult(200, 'Schedule')
  @ApiErrors(400, 401, 404, 409, 503)
  pause(
    @Param('id') id: string,
    @Param('sid') sid: string,
    @Body(actionBody) body: ScheduleActionBody,
    @Write() w: WriteContext,
  ) {
    return this.act(id, sid, 'pause', body, w);
  }

  @Post('plans/:id/schedules/:sid/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused schedule (recorded as ScheduleResumed)' })
  @ApiBodyOf('ScheduleAction')
  @ApiResult(200, 'Schedule')
  @ApiErrors(400, 401, 404, 409, 503)
  resume(
    @Param('id') id: string,
    @Param('sid') sid: string,
    @Body(actionBody) body: ScheduleActionBody,
    @Write() w: WriteContext,
  ) {
    return this.act(id, sid, 'resume', body, w);
  }

  @Post('plans/:id/schedules/:sid/trigger')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Fire now, under the schedule’s overlap policy (recorded as ScheduleTriggered; the firing records what it did)',
  })
  @ApiBodyOf('ScheduleAction')
  @ApiResult(202, 'Schedule')
  @ApiErrors(400, 401, 404, 409, 503)
  trigger(
    @Param('id') id: string,
    @Param('sid') sid: string,
    @Body(actionBody) body: ScheduleActionBody,
    @Write() w: WriteContext,
  ) {
    return this.act(id, sid, 'trigger', body, w);
  }

  @Delete('plans/:id/schedules/:sid')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete the schedule from Temporal (recorded as ScheduleDeleted); sessions it started go on',
  })
  @ApiResult(200, 'Schedule')
  @ApiErrors(401, 404, 409, 503)
  delete(@Param('id') id: string, @Param('sid') sid: string, @Write() w: WriteContext) {
    return this.act(id, sid, 'delete', {}, w);
  }

  private act(
    id: string,
    sid: string,
    action: ScheduleAction,
    body: ScheduleActionBody,
    write: WriteContext,
  ) {
    return this.commands.execute(new ScheduleActionCommand(id, sid, action, body, write.actor));
  }
}
