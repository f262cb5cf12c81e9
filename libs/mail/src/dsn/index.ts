export { DsnBuilder } from './dsn-builder';
export type { BuiltDsn, DsnRequest } from './dsn-builder';
export { formatDeliveryStatus, rfc5322Date } from './delivery-status';
export type { DsnAction, DsnRecipient, DeliveryStatusFields } from './delivery-status';
export { NoticeTemplates } from './notice-templates';
export type {
  NoticeLanguage,
  NoticeTemplateName,
  NoticeTemplatesOptions,
  RenderedNotice,
} from './notice-templates';
export { buildUserNotice } from './notice-message';
export type { UserNoticeName, UserNoticeRequest } from './notice-message';
export { extractHeaderBlock, readHeaderBlock, headerValue } from './header-block';
export { NullSenderDsnError, TemplateError, InvalidDsnRequestError } from './dsn.errors';
