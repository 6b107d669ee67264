export * from './port';
export * from './process-runner';
export * from './command-runner';
export * from './prompt';
export * from './runner-factory';
export * from './claude-stream';
export * from './claude-code-runner';
