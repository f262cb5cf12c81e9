import { InitialSchema1732406400000 } from './0001-initial-schema';
import { ImapState1732492800000 } from './0002-imap-state';
import { DomainAccessSwitches1732579200000 } from './0003-domain-access-switches';
import { Sms1732665600000 } from './0004-sms';
import { Notify1732752000000 } from './0005-notify';
import { Usage1732838400000 } from './0006-usage';
import { SmsLinks1732924800000 } from './0007-sms-links';
import { SmsCommands1733011200000 } from './0008-sms-commands';
import { Contacts1733097600000 } from './0009-contacts';
import { AlertDelivery1733184000000 } from './0010-alert-delivery';
import { Reminders1733356800000 } from './0012-reminders';
import { MailSmsDailyCap1733443200000 } from './0013-mail-sms-daily-cap';

/** Every migration, oldest first. New ones are appended here. */
export const MIGRATIONS = [
  InitialSchema1732406400000,
  ImapState1732492800000,
  DomainAccessSwitches1732579200000,
  Sms1732665600000,
  Notify1732752000000,
  Usage1732838400000,
  SmsLinks1732924800000,
  SmsCommands1733011200000,
  Contacts1733097600000,
  AlertDelivery1733184000000,
  Reminders1733356800000,
  MailSmsDailyCap1733443200000,
];
