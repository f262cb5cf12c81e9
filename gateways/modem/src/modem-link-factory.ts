import type { LinkDeps, SmsLinkFactory } from '@dizi/gateway-kit';
import { ModemLink } from './modem-link';
import { validateModemLinkConfig, type ModemLinkConfig } from './modem-link-config';
import { ModemPool, validateModemPoolConfig, type ModemPoolConfig } from './modem-pool';

/** Registered under kind "modem": one GSM modem on a serial port. */
export const modemLinkFactory: SmsLinkFactory<ModemLinkConfig> = {
  kind: 'modem',
  validate: validateModemLinkConfig,
  create: (config: ModemLinkConfig, deps: LinkDeps) => new ModemLink(config, deps),
};

/** Registered under kind "modem-pool": several modems sharing the load. */
export const modemPoolFactory: SmsLinkFactory<ModemPoolConfig> = {
  kind: 'modem-pool',
  validate: validateModemPoolConfig,
  create: (config: ModemPoolConfig, deps: LinkDeps) => new ModemPool(config, deps),
};
