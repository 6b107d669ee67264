import { MAX_TEXT, SCHEDULE_FROM, SCHEDULE_OVERLAPS, scheduleRequestSchema } from '@chunkwise/domain';
import { z } from 'zod';

/** Request and response shapes of the schedule routes (validation and OpenAPI components). */

/** `POST /plans/:id/schedules`: exactly one of cron, every, at (the domain checks each). */
export const createScheduleBodySchema = scheduleRequestSchema;
export type CreateScheduleBody = z.output<typeof createScheduleBodySchema>;

/** pause, resume, trigger, delete: an optional note (pause and resume show it in Temporal). */
export const scheduleActionBodySchema = z.object({ note: z.string().max(MAX_TEXT).optional() }).strict();
export type ScheduleActionBody = z.output<typeof scheduleActionBodySchema>;

const specSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cron'), cron: z.string() }),
  z.object({ kind: z.literal('every'), every: z.string(), everyMs: z.number().int() }),
  z.object({ kind: z.literal('at'), at: z.string() }),
]);

const liveSchema = z.object({
  paused: z.boolean(),
  note: z.string().nullable(),
  nextRunTimes: z.array(z.string()),
  recentRuns: z.array(z.object({ scheduledAt: z.string(), startedAt: z.string(), workflowId: z.string() })),
  runningWorkflows: z.array(z.string()),
  actionsTaken: z.number().int(),
  skippedOverlap: z.number().int(),
  remainingActions: z.number().int().nullable(),
});

export const scheduleViewSchema = z.object({
  planId: z.string(),
  scheduleId: z.string(),
  temporalScheduleId: z.string(),
  spec: specSchema,
  description: z.string(),
  overlap: z.enum(SCHEDULE_OVERLAPS),
  from: z.enum(SCHEDULE_FROM),
  note: z.string().nullable(),
  author: z.string().nullable(),
  status: z.enum(['active', 'paused', 'deleted', 'failed']),
  failure: z.string().nullable(),
  fired: z.number().int(),
  skipped: z.number().int(),
  triggered: z.number().int(),
  lastFiring: z
    .object({
      firingId: z.string(),
      outcome: z.enum(['fired', 'queued', 'skipped']),
      sessionId: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .nullable(),
  temporal: liveSchema
    .nullable()
    .describe("Temporal's description now; null when it has none or is unreachable."),
  temporalNote: z.string().optional(),
});
export const scheduleListSchema = z.object({ schedules: z.array(scheduleViewSchema) });

export const SCHEDULE_OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  CreateSchedule: { schema: createScheduleBodySchema, io: 'input' },
  ScheduleAction: { schema: scheduleActionBodySchema, io: 'input' },
  Schedule: { schema: scheduleViewSchema, io: 'output' },
  ScheduleList: { schema: scheduleListSchema, io: 'output' },
};
