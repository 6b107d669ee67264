export * from './errors';
export * from './plan-command-service';
