import { bad, type CommandContext, type CommandResult, ok } from '../session/command-context';

export async function starttls(context: CommandContext): Promise<CommandResult> {
  if (!context.settings.tlsAvailable) return bad('STARTTLS is not available');
  if (context.state.secure) return bad('TLS is already active');
  context.afterResponse('starttls');
  return ok('Begin TLS negotiation now');
}
