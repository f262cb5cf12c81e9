import { fromClientName } from '../mailbox-name/mailbox-path';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

export async function subscribe(
  context: CommandContext,
  name: 'SUBSCRIBE' | 'UNSUBSCRIBE',
  mailbox: string,
): Promise<CommandResult> {
  await context.access().setSubscribed(fromClientName(mailbox), name === 'SUBSCRIBE');
  return ok(`${name} completed`);
}
