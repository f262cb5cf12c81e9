import type { CommandHandler, Pop3CommandContext } from '../session/session-context';

/** RFC 2449 5 capabilities for the session's current state and security. */
export function capabilities(context: Pop3CommandContext): string[] {
  const { state, settings } = context;
  const list = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
  if (state.phase === 'authorization') {
    // Like IMAP's LOGINDISABLED: no login methods are shown where they would be refused.
    if (state.secure || !settings.requireTlsForAuth) list.push('USER', 'SASL PLAIN');
    if (settings.tlsAvailable && !state.secure) list.push('STLS');
  }
  list.push('IMPLEMENTATION Dizi');
  return list;
}

export const capa: CommandHandler = async (context) => {
  await context.multiline(
    'Capability list follows',
    capabilities(context).map((line) => Buffer.from(`${line}\r\n`)),
  );
};
