import type { LinkDeps, SmsLinkFactory } from '@dizi/gateway-kit';
import { SmppLink } from './smpp-link';
import { validateSmppLinkConfig, type SmppLinkConfig } from './smpp-link-config';

/** Registered under kind "smpp" in the link registry. */
export const smppLinkFactory: SmsLinkFactory<SmppLinkConfig> = {
  kind: 'smpp',
  validate: validateSmppLinkConfig,
  create: (config: SmppLinkConfig, deps: LinkDeps) => new SmppLink(config, deps),
};
