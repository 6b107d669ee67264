export * from './errors';
export * from './plan-command-service';
export * from './session-service';
export * from './planning/planning-service';
export * from './planning/planning-output';
export { repositoryContext } from './planning/repository-context';
