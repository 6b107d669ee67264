/**
 * Contracts between workflows, activities, workers and clients: task queues, search attributes,
 * workflow ids, signals, updates and queries, the workflow's input and output, the activities'
 * interface and the turn output paths.
 *
 * Workflow code imports this library, so it must stay deterministic and free of I/O: it imports
 * only `@temporalio/workflow`, `@temporalio/common` and the pure domain.
 */
export * from './activities';
export * from './messages';
export * from './search-attributes';
export * from './session-workflow';
export * from './schedules';
export * from './task-queues';
export * from './turn-paths';
export * from './workflow-ids';
export * from './rollback';
