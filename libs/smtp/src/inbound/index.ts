export * from './smtp-listener';
export * from './connection-limiter';
export * from './auth-guard';
export * from './smtp-reply-error';
export * from './submission-headers';
