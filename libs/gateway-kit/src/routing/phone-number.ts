import { FieldEncodeError, InvalidPhoneNumberError } from '../errors';

/**
 * Checks a destination number and returns it in national form for prefix matching:
 * digits only, the country code (default "86", also as "+86" or "0086") removed when
 * what follows is a full national number. Carrier fields are at most 21 octets, so
 * longer numbers are refused here rather than cut later.
 */
export function nationalNumber(number: string, countryCode = '86', nationalLength = 11): string {
  const trimmed = number.trim();
  if (!/^\+?\d{3,21}$/.test(trimmed)) throw new InvalidPhoneNumberError(number);
  const digits = trimmed.replace(/^\+/, '');
  for (const prefix of [`00${countryCode}`, countryCode]) {
    const rest = digits.slice(prefix.length);
    if (digits.startsWith(prefix) && rest.length === nationalLength) return rest;
  }
  return digits;
}

/** The sending number: the link's service number plus the message's extension, digits only. */
export function sourceNumber(
  base: string,
  extension: string | undefined,
  field: string,
  maxLength = 21,
): string {
  const source = base + (extension ?? '');
  if (!new RegExp(`^\\d{1,${maxLength}}$`).test(source)) {
    throw new FieldEncodeError(field, `"${source}" must be 1-${maxLength} digits`);
  }
  return source;
}
