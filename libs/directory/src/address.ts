import { domainToASCII } from 'node:url';
import { DiziError } from '@dizi/errors';

/** A mail address split and normalised: local part as given but lower-cased, domain in punycode. */
export interface MailAddress {
  local: string;
  domain: string;
  address: string;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;

/** Lower-cases and converts an IDN domain to punycode; throws DiziError when it is not a domain. */
export function normalizeDomain(input: string, field = 'domain'): string {
  const raw = input.trim().replace(/\.$/, '');
  const ascii = domainToASCII(raw.toLowerCase());
  if (
    !ascii ||
    ascii.length > 253 ||
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(ascii)
  ) {
    throw new DiziError('invalid', `"${input}" is not a valid domain name`, field);
  }
  return ascii;
}

/**
 * Parses `user@domain` into a normalised address. Local parts are compared without
 * case (as nearly every mail system does), so they are lower-cased too.
 */
export function parseAddress(input: string, field = 'address'): MailAddress {
  const s = input.trim().replace(/^<(.*)>$/, '$1');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) {
    throw new DiziError(
      'invalid',
      `"${input}" is not a mail address (expected user@domain)`,
      field,
    );
  }
  const local = s.slice(0, at).toLowerCase();
  if (
    local.length > 64 ||
    !LOCAL_PART.test(local) ||
    local.startsWith('.') ||
    local.endsWith('.') ||
    local.includes('..')
  ) {
    throw new DiziError('invalid', `"${input}" has an invalid local part`, field);
  }
  const domain = normalizeDomain(s.slice(at + 1), field);
  return { local, domain, address: `${local}@${domain}` };
}
