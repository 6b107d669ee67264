export * from './schemas';
export * from './errors';
export * from './validation';
export * from './document';
export * from './events';
export * from './commands';
export * from './state';
export * from './decider';
