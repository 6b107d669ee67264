export * from './config';
export * from './stores';
export * from './chat-config';
