import type { CommandHandler } from '../session/session-context';
import { logIn, refuseWithoutTls } from './login';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** RFC 4616 PLAIN: [authzid] NUL authcid NUL passwd; no acting for another user. */
function decodePlain(response: string): { user: string; password: string } | undefined {
  const parts = Buffer.from(response, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3 || !parts[1] || !parts[2] || (parts[0] && parts[0] !== parts[1]))
    return undefined;
  return { user: parts[1], password: parts[2] };
}

/**
 * RFC 5034 AUTH PLAIN, with the initial response on the command line or after an
 * empty "+ " challenge. A bare "AUTH" lists the mechanisms, as older clients expect.
 */
export const auth: CommandHandler = async (context, command) => {
  const [mechanism, initialResponse, extra] = command.args;
  if (mechanism === undefined) {
    await context.multiline('Supported mechanisms follow', [Buffer.from('PLAIN\r\n')]);
    return;
  }
  if (extra !== undefined) return context.syntaxError('AUTH takes a mechanism and a response');
  if (mechanism.toUpperCase() !== 'PLAIN') return context.err('Unsupported mechanism');
  if (refuseWithoutTls(context)) return;
  let response = initialResponse;
  if (response === undefined) {
    context.send(Buffer.from('+ \r\n'));
    const line = await context.readLine(context.settings.maxSaslLineLength);
    if (line === undefined) return context.err('Authentication response too long');
    response = line.toString('latin1').trim();
    if (response === '*') return context.err('Authentication cancelled');
  }
  // RFC 5034 4: "=" stands for an empty initial response.
  if (response === '=') response = '';
  if (!BASE64.test(response)) return context.err('Response is not base64');
  const credentials = decodePlain(response);
  if (!credentials) return context.err('Malformed PLAIN response', 'AUTH');
  await logIn(context, credentials.user, credentials.password);
};
