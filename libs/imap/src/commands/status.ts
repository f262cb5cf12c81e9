import { fromClientName, toClientName } from '../mailbox-name/mailbox-path';
import type { StatusItem } from '../parser/command-types';
import { Atom, type ImapValue } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

/** The `* STATUS name (...)` line for a folder (also used by LIST RETURN (STATUS)). */
export async function statusLine(
  context: CommandContext,
  name: string,
  items: readonly StatusItem[],
): Promise<Buffer> {
  const snapshot = await context.access().selectFolder(name, { claimRecent: false });
  const values: ImapValue[] = [];
  for (const item of items) {
    values.push(new Atom(item));
    switch (item) {
      case 'MESSAGES':
        values.push(snapshot.messages.length);
        break;
      case 'RECENT':
        values.push(snapshot.recentUids.length);
        break;
      case 'UIDNEXT':
        values.push(snapshot.uidNext);
        break;
      case 'UIDVALIDITY':
        values.push(snapshot.uidValidity);
        break;
      case 'UNSEEN':
        values.push(snapshot.messages.filter((m) => !m.flags.includes('\\Seen')).length);
        break;
      case 'HIGHESTMODSEQ':
        values.push(snapshot.highestModseq);
        break;
      case 'SIZE':
        values.push(snapshot.messages.reduce((total, m) => total + m.size, 0));
        break;
    }
  }
  return untagged([new Atom('STATUS'), toClientName(name), values]);
}

export async function status(
  context: CommandContext,
  mailbox: string,
  items: readonly StatusItem[],
): Promise<CommandResult> {
  if (items.includes('HIGHESTMODSEQ')) context.state.enabled.add('CONDSTORE');
  context.send(await statusLine(context, fromClientName(mailbox), items));
  return ok('STATUS completed');
}
