import type { LinkDeps, SmsLinkFactory } from '@dizi/gateway-kit';
import { CmppLink } from './cmpp-link';
import { validateCmppLinkConfig, type CmppLinkConfig } from './cmpp-link-config';

/** Registered under kind "cmpp" in the link registry. */
export const cmppLinkFactory: SmsLinkFactory<CmppLinkConfig> = {
  kind: 'cmpp',
  validate: validateCmppLinkConfig,
  create: (config: CmppLinkConfig, deps: LinkDeps) => new CmppLink(config, deps),
};
