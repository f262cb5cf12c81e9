import { continuation } from '../response/responses';
import { bad, type CommandContext, type CommandResult, no } from '../session/command-context';
import { authenticateUser } from './login';

/** RFC 4616 PLAIN: [authzid] NUL authcid NUL passwd. */
function decodePlain(base64: string): { user: string; password: string } | undefined {
  const parts = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3 || !parts[1] || (parts[0] && parts[0] !== parts[1])) return undefined;
  return { user: parts[1], password: parts[2] };
}

/** AUTHENTICATE PLAIN, with the initial response inline (SASL-IR) or after `+`. */
export async function authenticate(
  context: CommandContext,
  mechanism: string,
  initialResponse: string | undefined,
): Promise<CommandResult> {
  if (mechanism !== 'PLAIN') return no('Unsupported authentication mechanism', 'CANNOT');
  if (context.settings.requireTlsForAuth && !context.state.secure) {
    return no('Use STARTTLS or the TLS port first', 'PRIVACYREQUIRED');
  }
  let response = initialResponse;
  if (response === undefined) {
    context.send(continuation());
    const line = await context.readLine();
    if (line === undefined) return bad('Connection closed');
    response = line.toString('latin1').trim();
    if (response === '*') return bad('Authentication cancelled');
  }
  if (response === '=') response = '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(response)) return bad('Response is not base64');
  const credentials = decodePlain(response);
  if (!credentials) return no('Malformed PLAIN response', 'AUTHENTICATIONFAILED');
  return authenticateUser(context, credentials.user, credentials.password);
}
