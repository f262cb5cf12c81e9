import { capabilities } from '../response/capabilities';
import { Atom } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

export function capabilityValues(context: CommandContext): Atom[] {
  const list = capabilities({
    secure: context.state.secure,
    tlsAvailable: context.settings.tlsAvailable,
    requireTlsForAuth: context.settings.requireTlsForAuth,
    authenticated: context.state.phase !== 'not-authenticated',
    compressed: context.state.compressed,
    appendLimit: context.appendLimit,
  });
  return list.map((name) => new Atom(name));
}

export async function capability(context: CommandContext): Promise<CommandResult> {
  context.send(untagged([new Atom('CAPABILITY'), ...capabilityValues(context)]));
  return ok('CAPABILITY completed');
}
