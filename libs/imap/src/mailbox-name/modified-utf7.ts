/**
 * Modified UTF-7 mailbox names (RFC 3501 5.1.3): printable US-ASCII stands for itself
 * except `&`, written `&-`; any other run of characters is UTF-16BE in base64 with `,`
 * for `/`, no padding, between `&` and `-`. Chinese folder names travel this way
 * between Outlook, Foxmail, iOS and the server.
 */

export class InvalidMailboxNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMailboxNameError';
  }
}

function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

function encodeRun(run: string): string {
  const utf16 = Buffer.alloc(run.length * 2);
  for (let i = 0; i < run.length; i++) utf16.writeUInt16BE(run.charCodeAt(i), i * 2);
  return `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
}

export function encodeMailboxName(name: string): string {
  let out = '';
  let run = '';
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (isDirect(code)) {
      if (run) {
        out += encodeRun(run);
        run = '';
      }
      out += char === '&' ? '&-' : char;
    } else {
      run += char;
    }
  }
  if (run) out += encodeRun(run);
  return out;
}

const SHIFTED = /&([^-]*)-/g;

/** Decodes a modified UTF-7 name; throws on forms RFC 3501 forbids (so a client gets NO). */
export function decodeMailboxName(encoded: string): string {
  for (let i = 0; i < encoded.length; i++) {
    if (!isDirect(encoded.charCodeAt(i))) {
      throw new InvalidMailboxNameError('Mailbox name has characters outside printable ASCII');
    }
  }
  let last = 0;
  let out = '';
  for (const match of encoded.matchAll(SHIFTED)) {
    const index = match.index ?? 0;
    out += encoded.slice(last, index);
    last = index + match[0].length;
    const body = match[1];
    if (body === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(body))
      throw new InvalidMailboxNameError('Invalid modified base64');
    const bytes = Buffer.from(body.replace(/,/g, '/'), 'base64');
    // Re-encoding must give the same text: this refuses odd bytes, a dangling partial
    // character and non-zero padding bits (RFC 2152), so each name has one spelling.
    const canonical = bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',');
    if (bytes.length % 2 !== 0 || canonical !== body) {
      throw new InvalidMailboxNameError('Modified base64 does not end on a character');
    }
    let decoded = '';
    for (let i = 0; i < bytes.length; i += 2) decoded += String.fromCharCode(bytes.readUInt16BE(i));
    if (decoded.length > 0 && [...decoded].every((c) => isDirect(c.charCodeAt(0)))) {
      // Printable ASCII must not be shifted: two encodings for one name would confuse clients.
      throw new InvalidMailboxNameError('Printable ASCII inside a shifted run');
    }
    out += decoded;
  }
  const rest = encoded.slice(last);
  if (rest.includes('&')) throw new InvalidMailboxNameError('Unterminated & in mailbox name');
  return out + rest;
}
