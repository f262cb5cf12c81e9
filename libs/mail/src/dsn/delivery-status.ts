/**
 * The machine-readable part of a DSN, `message/delivery-status` (RFC 3464 2.1-2.3):
 * one block of per-message fields, then one block per recipient, blank-line separated.
 * Every field is US-ASCII on one logical line, folded at 78 columns.
 */

export type DsnAction = 'failed' | 'delayed';

export interface DsnRecipient {
  /** The address the delivery was attempted to (RFC 3464 2.3.2). */
  finalRecipient: string;
  /** The address as the sender gave it (ORCPT, or before alias expansion), when different. */
  originalRecipient?: string;
  /** Enhanced status code (RFC 3463), class 5 for failed, 4 for delayed. */
  status: string;
  /** DNS name of the server that answered, if one did. */
  remoteMta?: string | null;
  /** That server's reply, e.g. "550 5.1.1 user unknown"; becomes `Diagnostic-Code: smtp; ...`. */
  smtpDiagnostic?: string | null;
  /** Our own explanation when no server replied (DNS, network); becomes `Diagnostic-Code: X-Dizi; ...`. */
  localDiagnostic?: string | null;
  lastAttemptDate?: Date;
  /** For delayed: when we stop trying (RFC 3464 2.3.9). */
  willRetryUntil?: Date;
}

export interface DeliveryStatusFields {
  reportingMta: string;
  originalEnvelopeId?: string;
  arrivalDate: Date;
  action: DsnAction;
  recipients: DsnRecipient[];
}

/** RFC 5322 date-time with a numeric zone (the "GMT" of toUTCString is obsolete syntax). */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function formatDeliveryStatus(fields: DeliveryStatusFields): string {
  const perMessage = [
    field('Reporting-MTA', `dns; ${fields.reportingMta}`),
    fields.originalEnvelopeId ? field('Original-Envelope-Id', fields.originalEnvelopeId) : null,
    field('Arrival-Date', rfc5322Date(fields.arrivalDate)),
  ];
  const blocks = [perMessage, ...fields.recipients.map((r) => recipientFields(r, fields.action))];
  return blocks.map((lines) => lines.filter((l) => l !== null).join('\r\n') + '\r\n').join('\r\n');
}

function recipientFields(recipient: DsnRecipient, action: DsnAction): Array<string | null> {
  const diagnostic = recipient.smtpDiagnostic
    ? `smtp; ${recipient.smtpDiagnostic}`
    : recipient.localDiagnostic
      ? `X-Dizi; ${recipient.localDiagnostic}`
      : null;
  return [
    recipient.originalRecipient
      ? field('Original-Recipient', addressField(recipient.originalRecipient))
      : null,
    field('Final-Recipient', addressField(recipient.finalRecipient)),
    field('Action', action),
    field('Status', recipient.status),
    recipient.remoteMta ? field('Remote-MTA', `dns; ${recipient.remoteMta}`) : null,
    diagnostic ? field('Diagnostic-Code', diagnostic) : null,
    recipient.lastAttemptDate
      ? field('Last-Attempt-Date', rfc5322Date(recipient.lastAttemptDate))
      : null,
    action === 'delayed' && recipient.willRetryUntil
      ? field('Will-Retry-Until', rfc5322Date(recipient.willRetryUntil))
      : null,
  ];
}

/**
 * `rfc822; addr` for ASCII addresses; `utf-8; addr` with RFC 6533 escapes (\x{HEX}) for
 * internationalized ones, so the part stays 7-bit.
 */
function addressField(address: string): string {
  if (/^[\x21-\x7e]+$/.test(address)) return `rfc822; ${address}`;
  const escaped = [...address]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x21 || code > 0x7e || ch === '\\' || ch === '+' || ch === '='
        ? `\\x{${code.toString(16).toUpperCase()}}`
        : ch;
    })
    .join('');
  return `utf-8; ${escaped}`;
}

/** One field: control characters and 8-bit text replaced, folded at spaces before 78 columns. */
function field(name: string, value: string): string {
  const clean = value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
  return fold(`${name}: ${clean}`);
}

function fold(line: string, width = 78): string {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    // A word longer than the line cannot be folded; RFC 5322 allows up to 998 characters.
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out.join('\r\n');
}
