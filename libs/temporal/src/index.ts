export * from './constants';
export * from './connection';
export * from './dev-server';
export * from './free-port';
export * from './project-root';
export * from './temporal-binary';
export * from './worker';
export * from './workflow-bundle';
