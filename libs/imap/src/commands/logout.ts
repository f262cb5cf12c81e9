import { statusResponse } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

export async function logout(context: CommandContext): Promise<CommandResult> {
  context.send(statusResponse('*', 'BYE', 'Dizi IMAP server logging out'));
  context.state.phase = 'logout';
  context.afterResponse('close');
  return ok('LOGOUT completed');
}
