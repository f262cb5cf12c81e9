import { Atom } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, ok } from '../session/command-context';

/** ENABLE (RFC 5161): CONDSTORE and QRESYNC (which implies CONDSTORE); others ignored. */
export async function enable(
  context: CommandContext,
  names: readonly string[],
): Promise<CommandResult> {
  const newly: string[] = [];
  for (const name of names) {
    const wanted =
      name === 'QRESYNC'
        ? (['CONDSTORE', 'QRESYNC'] as const)
        : name === 'CONDSTORE'
          ? (['CONDSTORE'] as const)
          : [];
    for (const extension of wanted) {
      if (!context.state.enabled.has(extension)) {
        context.state.enabled.add(extension);
        newly.push(extension);
      }
    }
  }
  context.send(untagged([new Atom('ENABLED'), ...newly.map((n) => new Atom(n))]));
  return ok('ENABLE completed');
}
