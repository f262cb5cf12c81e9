import type { SessionSettings } from '../session/command-context';
import { ImapSession } from '../session/imap-session';
import { InMemoryMailStore } from './in-memory-mailbox-access';
import { RecordingTransport } from './recording-transport';

/**
 * TEST HELPER. A session over a recording transport and an in-memory store, with a
 * user `u` (password `p`); `command` sends one tagged command and returns all output
 * up to its tagged answer.
 */
export async function sessionHarness(settings: Partial<SessionSettings> = {}, secure = false) {
  const store = new InMemoryMailStore();
  const access = store.addUser('u', 'p');
  const transport = new RecordingTransport(secure);
  const session = new ImapSession(transport, {
    authenticator: store,
    tlsAvailable: true,
    requireTlsForAuth: false,
    idleKeepaliveMs: 50,
    idleTimeoutMs: 60_000,
    serverName: 'test',
    failedLoginDelayMs: 0,
    maxFailedLogins: 3,
    ...settings,
  });
  session.start();
  await transport.until(/\* OK .*\r\n/);
  const send = (text: string | Buffer): void =>
    session.receive(Buffer.isBuffer(text) ? text : Buffer.from(text));
  const command = async (tag: string, text: string): Promise<string> => {
    send(`${tag} ${text}\r\n`);
    return transport.until(new RegExp(`(^|\\n)${tag} (OK|NO|BAD).*\\r\\n`));
  };
  return { store, access, transport, session, send, command };
}
