/** DI tokens for what the admin API is given by the app (plain classes, built by the runtime). */
export const DIRECTORY_SERVICE = Symbol('DirectoryService');
export const QUEUE_ADMIN = Symbol('QueueAdmin');
export const ADMIN_AUTH = Symbol('AdminAuth');
export const SMS_SERVICE = Symbol('SmsService');
export const SMS_LINKS = Symbol('SmsLinks');
export const LINK_ADMIN = Symbol('LinkAdmin');
export const NOTIFY = Symbol('Notify');
