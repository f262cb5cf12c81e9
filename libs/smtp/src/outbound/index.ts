export { SmtpDeliveryClient } from './smtp-delivery-client';
export { dsnRecipientFromResult } from './delivery-outcome';
export { MxResolver } from './mx-resolver';
export type { DnsResolver, DeliveryTarget, MxResolverOptions } from './mx-resolver';
export { RouteTable, parseRouteTarget } from './route-table';
export type { RouteTarget } from './route-table';
export { DestinationConcurrency } from './destination-concurrency';
export type { ReleaseSlot } from './destination-concurrency';
export {
  MxLookupError,
  InvalidRouteError,
  DeliveryConfigError,
  MessageUnreadableError,
} from './delivery.errors';
export { parseSmtpReply } from './smtp-reply';
export type { SmtpReply } from './smtp-reply';
export { DEFAULT_DELIVERY_TIMEOUTS } from './delivery.types';
export type {
  DeliveryRequest,
  DeliveryTimeouts,
  OutboundTlsPolicy,
  RecipientResult,
  RecipientStatus,
  SmartHost,
  SmartHostMode,
} from './delivery.types';
