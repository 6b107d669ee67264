export * from './types';
export { importPlan, importAllTags } from './import-plan';
export { exportPlan } from './export-plan';
export { detectFormat } from './detect';
export { describeLocation } from './warnings';
