export * from './http-sms-template';
export * from './http-sms-link-config';
export * from './http-sms-link';
export * from './http-sms-link-factory';
