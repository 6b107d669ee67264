export * from './types';
export * from './plan-projection';
export * from './store-support';
export * from './sqlite-read-model-store';
export * from './postgres-read-model-store';
export * from './projector';
