export * from './errors';
export * from './command-handler';
export * from './plan-command-service';
export * from './repository-service';
export * from './session-service';
export * from './session-workflows';
export * from './planning/planning-service';
export * from './planning/planning-output';
export { repositoryContext } from './planning/repository-context';
