import { SMTPConnection } from 'smtp-server/lib/smtp-connection';

/**
 * An SMTP refusal with its exact reply code and RFC 3463 enhanced code, e.g.
 * `new SmtpReplyError(550, '5.7.1', 'relay access denied')`.
 */
export class SmtpReplyError extends Error {
  readonly responseCode: number;
  constructor(code: number, enhanced: string, text: string) {
    super(`${enhanced} ${text}`);
    this.responseCode = code;
  }
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

/**
 * smtp-server derives the enhanced status code from the reply code alone (550 is
 * always 5.1.1), which is wrong for "relay denied" (5.7.1) and others. This wraps its
 * `send` once so a message that already starts with an enhanced code is sent as is.
 */
export function installEnhancedCodePassThrough(): void {
  if (installed) return;
  installed = true;
  type Send = (code: number, data?: unknown, context?: unknown) => void;
  const proto = SMTPConnection.prototype as unknown as { send: Send };
  const original = proto.send;
  proto.send = function (this: unknown, code: number, data?: unknown, context?: unknown) {
    const explicit = typeof data === 'string' && ENHANCED.test(data);
    return original.call(this, code, data, explicit ? false : context);
  };
}
