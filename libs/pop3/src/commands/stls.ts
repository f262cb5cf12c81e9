import type { CommandHandler } from '../session/session-context';

/** RFC 2595 4: STLS, in the AUTHORIZATION state on the plain port. */
export const stls: CommandHandler = async (context, command) => {
  if (command.args.length) return context.syntaxError('STLS takes no argument');
  if (context.state.secure) return context.err('Command not permitted when TLS active');
  if (!context.settings.tlsAvailable) return context.err('TLS is not available');
  // Any USER given in the clear does not carry over into the encrypted session.
  context.state.pendingUser = undefined;
  context.ok('Begin TLS negotiation');
  context.afterResponse('starttls');
};
