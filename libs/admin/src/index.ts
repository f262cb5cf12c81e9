export * from './admin-http';
export * from './queue-admin';
export * from './admin-auth.guard';
