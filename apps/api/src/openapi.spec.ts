import { planDocumentSchema } from '@chunkwise/domain';
import { z } from 'zod';
import { OPENAPI_SCHEMAS } from './openapi';
import { openApiSchemaOf } from './common/openapi-schema';

describe('OpenAPI components from zod', () => {
  it('converts every named schema to a self-contained OpenAPI 3.0 schema', () => {
    for (const [name, { schema, io }] of Object.entries(OPENAPI_SCHEMAS)) {
      const json = openApiSchemaOf(schema, io);
      const text = JSON.stringify(json);
      expect([name, text.includes('$defs') || text.includes('$schema') || text.includes('"$ref"')]).toEqual([
        name,
        false,
      ]);
      // Every component is an object, but for the enum of the stream's event names.
      expect([name, json.type]).toEqual([name, name === 'StreamEventType' ? 'string' : 'object']);
    }
  });

  it('describes the plan document exactly as the domain schema does, plus expectedRevision', () => {
    const generated = openApiSchemaOf(OPENAPI_SCHEMAS.PlanDocument.schema, 'input') as {
      properties: Record<string, unknown>;
    };
    const domain = z.toJSONSchema(planDocumentSchema, { target: 'openapi-3.0', io: 'input' }) as {
      properties: Record<string, unknown>;
    };
    const { expectedRevision, ...rest } = generated.properties;
    expect(rest).toEqual(domain.properties);
    expect(expectedRevision).toMatchObject({ type: 'integer', minimum: 0 });
  });
});
