import { parseDecimal } from '../protocol/command-line';
import type { MaildropMessage } from '../session/maildrop';
import type { Pop3CommandContext } from '../session/session-context';

/** The message a command's number argument names, or undefined after answering -ERR. */
export function messageArgument(
  context: Pop3CommandContext,
  token: string | undefined,
): MaildropMessage | undefined {
  const number = parseDecimal(token);
  if (number === undefined) {
    context.syntaxError('Invalid message number');
    return undefined;
  }
  const lookup = context.maildrop().lookup(number);
  if (!lookup.found) {
    context.err(lookup.reason);
    return undefined;
  }
  return lookup.message;
}
