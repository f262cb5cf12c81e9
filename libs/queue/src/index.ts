export * from './redis-supervisor';
export * from './redis-connection';
