export * from './api';
export * from './format';
export * from './server';
export { errorText, registerTools, withProgress } from './tools';
export { registerResources } from './resources';
