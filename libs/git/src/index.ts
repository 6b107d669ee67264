export * from './git';
export * from './repository';
