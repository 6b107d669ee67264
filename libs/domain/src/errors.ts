import type { BudgetExceeded } from './budget';
/** One problem found by validation, naming the task or chunk at fault. */
export interface ValidationIssue {
  code:
    | 'schema'
    | 'missing_task_id'
    | 'duplicate_task_id'
    | 'task_without_chunk'
    | 'unknown_chunk'
    | 'duplicate_chunk_key'
    | 'unknown_dependency'
    | 'dependency_cycle'
    | 'dependency_on_later_chunk'
    | 'empty_plan'
    | 'empty_chunk'
    | 'missing_parameter'
    | 'unknown_parameter'
    | 'invalid_parameter'
    | 'undeclared_placeholder';
  message: string;
  taskId?: string;
  chunkKey?: string;
  path?: string;
}

export type DomainErrorCode =
  | 'validation_failed'
  | 'plan_not_found'
  | 'plan_already_exists'
  | 'plan_frozen'
  | 'plan_archived'
  | 'invalid_transition'
  | 'chunk_not_found'
  | 'task_not_found'
  | 'chunk_exists'
  | 'task_exists'
  | 'chunk_not_empty'
  | 'invalid_command'
  | 'suggestion_set_not_found'
  | 'stale_suggestions'
  | 'budget_exceeded'
  | 'schedule_not_found';

/** A command refused by the domain. The message is written for the user. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(issues: ValidationIssue[], context = 'plan is invalid') {
    super('validation_failed', `${context}: ${issues.map((i) => i.message).join('; ')}`, issues);
    this.name = 'ValidationError';
  }
}

/** A planning call refused because it would cross the plan's budget; carries the figures. */
export class BudgetExceededError extends DomainError {
  constructor(
    readonly budget: BudgetExceeded,
    message: string,
  ) {
    super('budget_exceeded', message);
    this.name = 'BudgetExceededError';
  }
}
