export * from './sms-links';
export * from './sms.service';
export * from './group-commit';
export * from './sms-batch.repository';
