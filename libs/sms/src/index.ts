export * from './sms-links';
export * from './sms.service';
