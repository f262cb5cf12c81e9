import { Adjacent, type ImapValue } from '../response/imap-value';
import { type EnvelopeAddress, parseAddressList } from './address-list';
import { type HeaderField, headerValue } from './header-block';

function addressValue(address: EnvelopeAddress): ImapValue {
  const bytes = (text: string | null): ImapValue =>
    text === null ? null : Buffer.from(text, 'latin1');
  return [bytes(address.name), bytes(address.adl), bytes(address.mailbox), bytes(address.host)];
}

function addressList(fields: readonly HeaderField[], name: string): ImapValue {
  const value = headerValue(fields, name);
  if (!value) return null;
  const addresses = parseAddressList(value.toString('latin1'));
  return addresses.length ? [new Adjacent(addresses.map(addressValue))] : null;
}

/**
 * ENVELOPE (RFC 3501 7.4.2): (date subject from sender reply-to to cc bcc in-reply-to
 * message-id). Strings are the header bytes unfolded, not decoded; Sender and Reply-To
 * fall back to From when absent, as the RFC requires.
 */
export function envelope(fields: readonly HeaderField[]): ImapValue {
  const text = (name: string): ImapValue => headerValue(fields, name) ?? null;
  const from = addressList(fields, 'from');
  const sender = addressList(fields, 'sender') ?? from;
  const replyTo = addressList(fields, 'reply-to') ?? from;
  return [
    text('date'),
    text('subject'),
    from,
    sender,
    replyTo,
    addressList(fields, 'to'),
    addressList(fields, 'cc'),
    addressList(fields, 'bcc'),
    text('in-reply-to'),
    text('message-id'),
  ];
}
