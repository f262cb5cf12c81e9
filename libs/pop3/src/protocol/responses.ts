/**
 * RFC 2449 8 / RFC 3206 extended response codes Dizi sends in brackets after -ERR:
 * AUTH (the credentials were refused), SYS/TEMP (a passing server problem: try again),
 * SYS/PERM (a server problem a retry will not fix).
 */
export type ResponseCode = 'AUTH' | 'SYS/TEMP' | 'SYS/PERM';

export const CRLF = '\r\n';
/** Ends every multi-line response (RFC 1939 3). */
export const MULTILINE_END = Buffer.from('.\r\n');

export function okLine(text: string): Buffer {
  return Buffer.from(text ? `+OK ${text}\r\n` : '+OK\r\n');
}

export function errLine(text: string, code?: ResponseCode): Buffer {
  return Buffer.from(code ? `-ERR [${code}] ${text}\r\n` : `-ERR ${text}\r\n`);
}
