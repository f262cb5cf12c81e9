export * from './raw-headers';
export * from './message-summary';
export * from './dsn';
