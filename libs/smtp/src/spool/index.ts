export * from './spool';
export * from './spool-envelope';
export * from './crlf-normalizer';
