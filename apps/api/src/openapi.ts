import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { taskSchema } from '@chunkwise/domain';
import { z } from 'zod';
import {
  addChunkBodySchema,
  addTaskBodySchema,
  archiveResultSchema,
  chunkListSchema,
  createPlanBodySchema,
  emptyWriteBodySchema,
  errorResponseSchema,
  feedbackBodySchema,
  healthSchema,
  livenessSchema,
  readinessSchema,
  moveTaskBodySchema,
  planDetailSchema,
  planHistorySchema,
  planListSchema,
  planSummarySchema,
  reopenBodySchema,
  reorderChunksBodySchema,
  setDependenciesBodySchema,
  taskListSchema,
  updateChunkBodySchema,
  updatePlanBodySchema,
  updateTaskBodySchema,
  validationIssueSchema,
  validationResultSchema,
  writeResultSchema,
} from './common/api-schemas';
import { openApiSchemaOf } from './common/openapi-schema';
import {
  approveTaskBodySchema,
  controlBodySchema,
  editTaskBodySchema,
  executeBodySchema,
  progressSchema,
  repositoryListSchema,
  repositorySchema,
  resumeResultSchema,
  retryTaskBodySchema,
  sessionRefSchema,
  signalResultSchema,
  skipTaskBodySchema,
  streamEventSchema,
  streamEventTypeSchema,
  updateAnswerSchema,
} from './sessions/session-schemas';
import { CHAT_OPENAPI_SCHEMAS } from './chat/chat-schemas';
import { PLANNING_OPENAPI_SCHEMAS } from './planning/planning-schemas';
import { ROLLBACK_OPENAPI_SCHEMAS } from './rollback/rollback-schemas';
import { registerRepositoryBodySchema } from './repositories/repository-schemas';
import { TEMPLATE_OPENAPI_SCHEMAS } from './templates/template-schemas';
import { USAGE_OPENAPI_SCHEMAS } from './usage/usage-schemas';
import { SCHEDULE_OPENAPI_SCHEMAS } from './schedules/schedule-schemas';
import { dashboardSettingsSchema } from './web/dashboard-schemas';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';

/** Named schemas injected into the OpenAPI document's components (io: which side of a transform). */
export const OPENAPI_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  PlanDocument: { schema: createPlanBodySchema, io: 'input' },
  UpdatePlan: { schema: updatePlanBodySchema, io: 'input' },
  AddChunk: { schema: addChunkBodySchema, io: 'input' },
  UpdateChunk: { schema: updateChunkBodySchema, io: 'input' },
  ReorderChunks: { schema: reorderChunksBodySchema, io: 'input' },
  AddTask: { schema: addTaskBodySchema, io: 'input' },
  UpdateTask: { schema: updateTaskBodySchema, io: 'input' },
  SetTaskDependencies: { schema: setDependenciesBodySchema, io: 'input' },
  MoveTask: { schema: moveTaskBodySchema, io: 'input' },
  ReopenPlan: { schema: reopenBodySchema, io: 'input' },
  RecordFeedback: { schema: feedbackBodySchema, io: 'input' },
  WriteOnly: { schema: emptyWriteBodySchema, io: 'input' },
  WriteResult: { schema: writeResultSchema, io: 'output' },
  ArchiveResult: { schema: archiveResultSchema, io: 'output' },
  ValidationIssue: { schema: validationIssueSchema, io: 'output' },
  ValidationResult: { schema: validationResultSchema, io: 'output' },
  Error: { schema: errorResponseSchema, io: 'output' },
  PlanSummary: { schema: planSummarySchema, io: 'output' },
  PlanList: { schema: planListSchema, io: 'output' },
  PlanDetail: { schema: planDetailSchema, io: 'output' },
  PlanHistory: { schema: planHistorySchema, io: 'output' },
  ChunkList: { schema: chunkListSchema, io: 'output' },
  TaskList: { schema: taskListSchema, io: 'output' },
  Task: { schema: taskSchema, io: 'output' },
  Health: { schema: healthSchema, io: 'output' },
  Liveness: { schema: livenessSchema, io: 'output' },
  Readiness: { schema: readinessSchema, io: 'output' },
  ExecutePlan: { schema: executeBodySchema, io: 'input' },
  ControlSession: { schema: controlBodySchema, io: 'input' },
  ApproveTask: { schema: approveTaskBodySchema, io: 'input' },
  RetryTask: { schema: retryTaskBodySchema, io: 'input' },
  SkipTask: { schema: skipTaskBodySchema, io: 'input' },
  EditSessionTask: { schema: editTaskBodySchema, io: 'input' },
  RegisterRepository: { schema: registerRepositoryBodySchema, io: 'input' },
  SessionRef: { schema: sessionRefSchema, io: 'output' },
  ResumeResult: { schema: resumeResultSchema, io: 'output' },
  SignalResult: { schema: signalResultSchema, io: 'output' },
  UpdateAnswer: { schema: updateAnswerSchema, io: 'output' },
  Progress: { schema: progressSchema, io: 'output' },
  StreamEventType: { schema: streamEventTypeSchema, io: 'output' },
  StreamEvent: { schema: streamEventSchema, io: 'output' },
  DashboardSettings: { schema: dashboardSettingsSchema, io: 'output' },
  Repository: { schema: repositorySchema, io: 'output' },
  RepositoryList: { schema: repositoryListSchema, io: 'output' },
};

/** The OpenAPI document: routes from the controllers' decorators, body schemas from the zod schemas. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Chunkwise API')
    .setDescription(
      'Plans of chunks and tasks, event-sourced. Every write may carry the revision it is based on ' +
        '(If-Match: "<revision>" or body.expectedRevision); a stale one is refused with 409 and the current revision.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque token',
      description: 'Required when the server sets CHUNKWISE_API_TOKEN',
    })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components ??= {};
  document.components.schemas ??= {};
  for (const [name, { schema, io }] of Object.entries({
    ...OPENAPI_SCHEMAS,
    ...PLANNING_OPENAPI_SCHEMAS,
    ...ROLLBACK_OPENAPI_SCHEMAS,
    ...USAGE_OPENAPI_SCHEMAS,
    ...CHAT_OPENAPI_SCHEMAS,
    ...TEMPLATE_OPENAPI_SCHEMAS,
    ...SCHEDULE_OPENAPI_SCHEMAS,
  })) {
    document.components.schemas[name] = openApiSchemaOf(schema, io) as never;
  }
  // The health probe stays open when a token is configured (see common/bearer-auth.ts).
  const health = document.paths['/api/health']?.get;
  if (health) health.security = [];
  return document;
}

export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: 'api/docs-yaml',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}
