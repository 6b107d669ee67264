export * from './plan.queries';
export { QUERY_HANDLERS } from './plan.handlers';
