export * from './spool';
export * from './inbound';
export * from './delivery';
export * from './outbound';
