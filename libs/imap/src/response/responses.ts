import { type ImapValue, WireWriter, writeValues } from './imap-value';

export type StatusCondition = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

/** Human-readable text must stay on one line whatever an error message held. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ').slice(0, 500);
}

/**
 * A status response: `tag OK [CODE] text` or untagged (`*`). The response code is
 * written as given (e.g. `UIDVALIDITY 3857529045`, `COPYUID 38505 304 3956`).
 */
export function statusResponse(
  tag: string | '*',
  condition: StatusCondition,
  text: string,
  code?: string,
): Buffer {
  const bracket = code ? `[${code}] ` : '';
  return Buffer.from(`${tag} ${condition} ${bracket}${oneLine(text)}\r\n`, 'utf8');
}

/** Untagged data: `* ` values CRLF, e.g. `* 23 EXISTS` or `* 12 FETCH (...)`. */
export function untagged(values: readonly ImapValue[]): Buffer {
  const out = new WireWriter();
  out.appendText('* ');
  writeValues(values, out);
  out.appendText('\r\n');
  return out.toBuffer();
}

/** A continuation request: `+ text`, the server waits for more from the client. */
export function continuation(text = ''): Buffer {
  return Buffer.from(text ? `+ ${oneLine(text)}\r\n` : '+ \r\n', 'utf8');
}
