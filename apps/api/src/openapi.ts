import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { OPENAPI_SCHEMAS } from './api-schemas';
import { PLANNING_OPENAPI_SCHEMAS } from './planning/planning-schemas';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';

/** JSON Schema (OpenAPI 3.0 dialect) of a zod schema: one concept, one place. */
export function openApiSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}

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
  for (const [name, { schema, io }] of Object.entries({ ...OPENAPI_SCHEMAS, ...PLANNING_OPENAPI_SCHEMAS })) {
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
