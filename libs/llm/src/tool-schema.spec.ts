import { z } from 'zod';
import { toolInputSchema } from './tool-schema';
import { formatPath } from './validation';

describe('toolInputSchema', () => {
  it('converts a zod object to an API input_schema: object at the top, no $schema, descriptions kept', () => {
    const schema = z.object({
      title: z.string().describe('Plan title'),
      count: z.number().int(),
      tasks: z.array(z.object({ id: z.string(), dependsOn: z.array(z.string()).default([]) })),
    });
    const json = toolInputSchema(schema);
    expect(json.type).toBe('object');
    expect(json).not.toHaveProperty('$schema');
    expect(json).toMatchObject({
      properties: { title: { type: 'string', description: 'Plan title' }, count: { type: 'integer' } },
      required: ['title', 'count', 'tasks'],
    });
    // zod's safe-integer bounds are noise for the model
    expect(JSON.stringify(json)).not.toContain('9007199254740991');
    // defaults are optional on input
    const task = (json.properties as any).tasks.items;
    expect(task.required).toEqual(['id']);
    expect(toolInputSchema(schema)).toBe(json); // cached
  });

  it('rejects schemas that are not objects or cannot be expressed as JSON Schema', () => {
    expect(() => toolInputSchema(z.array(z.string()))).toThrow(/must be a z.object/);
    expect(() => toolInputSchema(z.object({ when: z.date() }))).toThrow(/cannot be expressed as JSON Schema/);
  });
});

describe('formatPath', () => {
  it('reads like a property access', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['tasks', 2, 'dependsOn', 0])).toBe('tasks[2].dependsOn[0]');
  });
});
