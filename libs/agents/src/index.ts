export * from './port';
export * from './process-runner';
export * from './command-runner';
