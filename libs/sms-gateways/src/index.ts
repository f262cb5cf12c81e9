import type { SmsLinkFactory } from '@dizi/gateway-kit';
import { cmppLinkFactory } from '@dizi/gateways/cmpp';
import { httpSmsLinkFactory } from '@dizi/gateways/http-sms';
import { modemLinkFactory, modemPoolFactory } from '@dizi/gateways/modem';
import { sgipLinkFactory } from '@dizi/gateways/sgip';
import { smgpLinkFactory } from '@dizi/gateways/smgp';
import { smppLinkFactory } from '@dizi/gateways/smpp';

/**
 * The SMS gateway modules Dizi is built with, for every app that runs or checks links
 * (the server, the CLI's `dizi link`). The core never imports a gateway; adding one is
 * its own folder under gateways/ plus one line here.
 */
export const SMS_GATEWAYS: readonly SmsLinkFactory[] = [
  cmppLinkFactory,
  sgipLinkFactory,
  smgpLinkFactory,
  smppLinkFactory,
  modemLinkFactory,
  modemPoolFactory,
  httpSmsLinkFactory,
] as SmsLinkFactory[];
