import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';
import { capabilityValues } from './capability';

/** Shared by LOGIN and AUTHENTICATE: checks the password, then enters authenticated state. */
export async function authenticateUser(
  context: CommandContext,
  user: string,
  password: string,
): Promise<CommandResult> {
  const access = await context.settings.authenticator.authenticate(user, password, {
    remoteAddress: context.state.remoteAddress,
    secure: context.state.secure,
  });
  if (!access) {
    const { failedLoginDelayMs, maxFailedLogins } = context.settings;
    if (failedLoginDelayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, failedLoginDelayMs));
    if (++context.state.failedLogins >= maxFailedLogins) context.afterResponse('close');
    return no('Authentication failed', 'AUTHENTICATIONFAILED');
  }
  context.login(user, access);
  const list = capabilityValues(context)
    .map((atom) => atom.text)
    .join(' ');
  return ok('Logged in', `CAPABILITY ${list}`);
}

export async function login(
  context: CommandContext,
  user: string,
  password: string,
): Promise<CommandResult> {
  if (context.settings.requireTlsForAuth && !context.state.secure) {
    return no('Use STARTTLS or the TLS port first', 'PRIVACYREQUIRED');
  }
  return authenticateUser(context, user, password);
}
