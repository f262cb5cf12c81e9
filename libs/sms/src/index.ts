export * from './sms-links';
export * from './sms.service';
export * from './group-commit';
export * from './sms-batch.repository';
export * from './link-settings';
export * from './link-catalog';
export * from './link-admin';
