import { DELIMITER } from '../mailbox-name/mailbox-path';
import { Adjacent, Atom } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

/** NAMESPACE (RFC 2342): one personal namespace, no shared or other users' ones. */
export async function namespace(context: CommandContext): Promise<CommandResult> {
  context.send(untagged([new Atom('NAMESPACE'), [new Adjacent([['', DELIMITER]])], null, null]));
  return ok('NAMESPACE completed');
}
