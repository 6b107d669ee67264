export * from './git';
export * from './repository';
export * from './locks';
export * from './task-branches';
export * from './integrate';
export * from './chunk-diff';
export * from './launcher';
export * from './recover-branch';
