export * from './errors';
export * from './plan-command-service';
export * from './session-service';
