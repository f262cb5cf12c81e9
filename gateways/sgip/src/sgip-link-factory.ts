import type { LinkDeps, SmsLinkFactory } from '@dizi/gateway-kit';
import { SgipLink } from './sgip-link';
import { validateSgipLinkConfig, type SgipLinkConfig } from './sgip-link-config';

/** Registered under kind "sgip" in the link registry. */
export const sgipLinkFactory: SmsLinkFactory<SgipLinkConfig> = {
  kind: 'sgip',
  validate: validateSgipLinkConfig,
  create: (config: SgipLinkConfig, deps: LinkDeps) => new SgipLink(config, deps),
};
