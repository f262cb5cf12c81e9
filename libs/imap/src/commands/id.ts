import { Atom } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

/** ID (RFC 2971): the server names itself; the client's fields are not needed. */
export async function id(context: CommandContext): Promise<CommandResult> {
  context.send(untagged([new Atom('ID'), ['name', 'Dizi', 'vendor', 'Dizi', 'support-url', null]]));
  return ok('ID completed');
}
