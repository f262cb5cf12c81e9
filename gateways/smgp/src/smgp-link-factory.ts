import type { LinkDeps, SmsLinkFactory } from '@dizi/gateway-kit';
import { SmgpLink } from './smgp-link';
import { validateSmgpLinkConfig, type SmgpLinkConfig } from './smgp-link-config';

/** Registered under kind "smgp" in the link registry. */
export const smgpLinkFactory: SmsLinkFactory<SmgpLinkConfig> = {
  kind: 'smgp',
  validate: validateSmgpLinkConfig,
  create: (config: SmgpLinkConfig, deps: LinkDeps) => new SmgpLink(config, deps),
};
