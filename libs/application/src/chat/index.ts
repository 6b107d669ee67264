export * from './chat-service';
export * from './chat-runs';
export * from './chat-prompt';
export * from './context-paths';
export * from './project-workspace';
