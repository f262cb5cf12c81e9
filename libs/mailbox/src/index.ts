export * from './mailbox-events';
export * from './sql-mailbox-access';
export * from './store-authenticator';
export * from './folder-appender';
