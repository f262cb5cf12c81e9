import type { LinkDeps, SmsLinkFactory } from '@dizi/gateway-kit';
import { HttpSmsLink } from './http-sms-link';
import { validateHttpSmsLinkConfig, type HttpSmsLinkConfig } from './http-sms-link-config';

/** Registered under kind "http-sms" in the link registry. */
export const httpSmsLinkFactory: SmsLinkFactory<HttpSmsLinkConfig> = {
  kind: 'http-sms',
  validate: validateHttpSmsLinkConfig,
  create: (config: HttpSmsLinkConfig, deps: LinkDeps) => new HttpSmsLink(config, deps),
};
