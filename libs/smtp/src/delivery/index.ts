export * from './spool-processor';
export * from './outbound-delivery';
export * from './system-notices';
