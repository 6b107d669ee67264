export * from './pricing';
export * from './port';
export * from './anthropic-llm';
export { toolInputSchema } from './tool-schema';
export { formatIssues, formatPath } from './validation';
export * from './conversation';
export type { JsonSchemaObject } from './tool-schema';
