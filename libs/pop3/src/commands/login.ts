import { MailboxAccessError } from '@dizi/imap';
import { Maildrop } from '../session/maildrop';
import type { CommandHandler, Pop3CommandContext } from '../session/session-context';

/** Longest user name USER accepts; longer ones cannot exist in the directory anyway. */
const MAX_USER_LENGTH = 255;

/** RFC 2595 / RFC 3206: plain-text credentials only over TLS, unless configured otherwise. */
export function refuseWithoutTls(context: Pop3CommandContext): boolean {
  if (!context.settings.requireTlsForAuth || context.state.secure) return false;
  context.err('Plaintext authentication disallowed without TLS, use STLS first', 'AUTH');
  return true;
}

/**
 * Shared by PASS and AUTH: checks the password, then takes the INBOX snapshot that
 * becomes the maildrop. No lock is taken (many sessions on one box at once).
 */
export async function logIn(
  context: Pop3CommandContext,
  user: string,
  password: string,
): Promise<void> {
  const { state, settings, log } = context;
  let access;
  try {
    access = await settings.authenticator.authenticate(user, password, {
      remoteAddress: state.remoteAddress,
      secure: state.secure,
    });
  } catch (error) {
    log.error({ err: error, user }, 'pop3 authenticator failed');
    context.err('Authentication is unavailable, try again later', 'SYS/TEMP');
    return;
  }
  if (!access) {
    state.failedLogins++;
    log.warn({ user, failedLogins: state.failedLogins }, 'pop3 login failed');
    if (settings.failedLoginDelayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, settings.failedLoginDelayMs));
    if (state.failedLogins >= settings.maxFailedLogins) {
      context.err('Authentication failed, too many attempts', 'AUTH');
      context.afterResponse('close');
    } else {
      context.err('Authentication failed', 'AUTH');
    }
    return;
  }
  let maildrop: Maildrop;
  try {
    maildrop = new Maildrop(await access.selectFolder('INBOX', { claimRecent: false }));
  } catch (error) {
    const permanent = error instanceof MailboxAccessError;
    log.error({ err: error, user }, 'pop3 could not open INBOX');
    context.err('Unable to open the maildrop', permanent ? 'SYS/PERM' : 'SYS/TEMP');
    return;
  }
  state.phase = 'transaction';
  state.user = user;
  state.access = access;
  state.maildrop = maildrop;
  state.pendingUser = undefined;
  const { count, octets } = maildrop.totals();
  log.info({ user, messages: count }, 'pop3 login');
  context.ok(`Logged in, ${count} messages (${octets} octets)`);
}

export const user: CommandHandler = async (context, command) => {
  if (refuseWithoutTls(context)) return;
  const name = command.rest.trim();
  if (!name || name.length > MAX_USER_LENGTH) return context.syntaxError('USER needs a name');
  context.state.pendingUser = name;
  // Same answer whether the user exists or not: USER must not reveal valid names.
  context.ok('Send PASS');
};

export const pass: CommandHandler = async (context, command) => {
  if (refuseWithoutTls(context)) return;
  const name = context.state.pendingUser;
  if (name === undefined) return context.err('Send USER first');
  // RFC 1939 7: the argument is the rest of the line, so passwords may hold spaces.
  const password = command.rest;
  if (!password) return context.syntaxError('PASS needs a password');
  context.state.pendingUser = undefined;
  await logIn(context, name, password);
};
