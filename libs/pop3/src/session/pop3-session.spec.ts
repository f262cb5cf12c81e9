import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { MailboxAccess } from '@dizi/imap';
import pino from 'pino';
import {
  InMemoryMailStore,
  type InMemoryMailboxAccess,
} from '../../../imap/src/testing/in-memory-mailbox-access';
import { RecordingTransport } from '../testing/recording-transport';
import { Pop3Session } from './pop3-session';
import type { Pop3Authenticator, Pop3SessionSettings } from './session-context';

const MESSAGES = [
  'Subject: one\r\nFrom: a@example.cn\r\n\r\nfirst body\r\n',
  'Subject: two\r\n\r\n.starts with a dot\r\nmiddle\r\n..two dots\r\nlast\r\n',
  'Subject: three\r\n\r\n',
];

let store: InMemoryMailStore;
let alice: InMemoryMailboxAccess;

beforeEach(async () => {
  store = new InMemoryMailStore();
  alice = store.addUser('alice', 'secret pass');
  for (const text of MESSAGES)
    await alice.appendMessage('INBOX', Buffer.from(text), [], new Date());
});

function settings(overrides: Partial<Pop3SessionSettings> = {}): Pop3SessionSettings {
  return {
    authenticator: store,
    tlsAvailable: false,
    requireTlsForAuth: false,
    serverName: 'test',
    failedLoginDelayMs: 0,
    maxFailedLogins: 3,
    maxLineLength: 255,
    maxSaslLineLength: 1024,
    idleTimeoutMs: 60_000,
    maxBadCommands: 10,
    logger: pino({ enabled: false }),
    ...overrides,
  };
}

interface Client {
  readonly transport: RecordingTransport;
  readonly session: Pop3Session;
  /** Sends lines and waits for output matching `until`. */
  send(lines: string, until: RegExp): Promise<string>;
}

async function connect(
  overrides: Partial<Pop3SessionSettings> = {},
  secure = false,
): Promise<Client> {
  const transport = new RecordingTransport(secure);
  const session = new Pop3Session(transport, settings(overrides));
  session.start();
  await transport.until(/^\+OK test Dizi POP3 server ready\r\n$/);
  return {
    transport,
    session,
    send: (lines, until) => {
      session.receive(Buffer.from(lines, 'latin1'));
      return transport.until(until);
    },
  };
}

async function loggedIn(overrides: Partial<Pop3SessionSettings> = {}): Promise<Client> {
  const client = await connect(overrides);
  await client.send('USER alice\r\nPASS secret pass\r\n', /Logged in/);
  return client;
}

/** Lets the session finish what it does after its answer (close, TLS upgrade). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const inboxUids = async (access: MailboxAccess = alice): Promise<number[]> =>
  (await access.selectFolder('INBOX', { claimRecent: false })).messages.map((m) => m.uid);

describe('Pop3Session: AUTHORIZATION state', () => {
  it('advertises the capabilities of RFC 2449 and the login methods when allowed', async () => {
    const { send } = await connect();
    const capa = await send('CAPA\r\n', /\r\n\.\r\n$/);
    assert.equal(
      capa,
      '+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n' +
        'PIPELINING\r\nUSER\r\nSASL PLAIN\r\nIMPLEMENTATION Dizi\r\n.\r\n',
    );
  });

  it('logs in with USER/PASS, the password keeping its space', async () => {
    const { send } = await connect();
    assert.equal(await send('USER alice\r\n', /\r\n$/), '+OK Send PASS\r\n');
    const reply = await send('PASS secret pass\r\n', /\r\n$/);
    const size = MESSAGES.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    assert.equal(reply, `+OK Logged in, 3 messages (${size} octets)\r\n`);
  });

  it('refuses PASS without USER and transaction commands before login', async () => {
    const { send } = await connect();
    assert.equal(await send('PASS x\r\n', /\r\n$/), '-ERR Send USER first\r\n');
    assert.equal(await send('STAT\r\n', /\r\n$/), '-ERR STAT is not valid before login\r\n');
    assert.equal(await send('RETR 1\r\n', /\r\n$/), '-ERR RETR is not valid before login\r\n');
    assert.equal(await send('NOOP\r\n', /\r\n$/), '-ERR NOOP is not valid before login\r\n');
    assert.equal(await send('APOP a b\r\n', /\r\n$/), '-ERR Unknown command APOP\r\n');
  });

  it('answers a wrong password with [AUTH] after the delay, and closes after the last try', async () => {
    const { send, transport } = await connect({ failedLoginDelayMs: 60, maxFailedLogins: 2 });
    const started = Date.now();
    assert.equal(
      await send('USER alice\r\nPASS wrong\r\n', /-ERR.*\r\n$/),
      '+OK Send PASS\r\n-ERR [AUTH] Authentication failed\r\n',
    );
    assert.ok(Date.now() - started >= 55, 'the failed login is answered after the delay');
    assert.equal(
      await send('USER nobody\r\nPASS secret pass\r\n', /-ERR.*\r\n$/),
      '+OK Send PASS\r\n-ERR [AUTH] Authentication failed, too many attempts\r\n',
    );
    await nextTurn();
    assert.equal(transport.closed, true);
  });

  it('answers [SYS/TEMP] when the authenticator fails, without counting a failed login', async () => {
    const broken: Pop3Authenticator = {
      authenticate: () => Promise.reject(new Error('database down')),
    };
    const { send, session } = await connect({ authenticator: broken, maxFailedLogins: 1 });
    assert.equal(
      await send('USER alice\r\nPASS secret pass\r\n', /-ERR.*\r\n$/),
      '+OK Send PASS\r\n-ERR [SYS/TEMP] Authentication is unavailable, try again later\r\n',
    );
    assert.equal(session.isClosed, false);
    assert.equal(session.state.failedLogins, 0);
  });

  it('signs off on QUIT without touching the maildrop', async () => {
    const { send, transport } = await connect();
    assert.equal(await send('QUIT\r\n', /\r\n$/), '+OK test signing off\r\n');
    await nextTurn();
    assert.equal(transport.closed, true);
  });
});

describe('Pop3Session: TLS', () => {
  const tlsSettings = { tlsAvailable: true, requireTlsForAuth: true };

  it('offers STLS and no login methods in the clear, and refuses USER/PASS/AUTH there', async () => {
    const { send } = await connect(tlsSettings);
    const capa = await send('CAPA\r\n', /\r\n\.\r\n$/);
    assert.match(capa, /\r\nSTLS\r\n/);
    assert.doesNotMatch(capa, /\r\nUSER\r\n|SASL/);
    const refusal =
      '-ERR [AUTH] Plaintext authentication disallowed without TLS, use STLS first\r\n';
    assert.equal(await send('USER alice\r\n', /\r\n$/), refusal);
    assert.equal(await send('PASS secret pass\r\n', /\r\n$/), refusal);
    assert.equal(await send('AUTH PLAIN AGFsaWNlAHNlY3JldCBwYXNz\r\n', /\r\n$/), refusal);
  });

  it('upgrades on STLS, drops what was pipelined in the clear, then allows login', async () => {
    const { send, transport, session } = await connect(tlsSettings);
    const reply = await send('STLS\r\nUSER alice\r\nPASS secret pass\r\n', /\r\n$/);
    assert.equal(reply, '+OK Begin TLS negotiation\r\n');
    await nextTurn();
    assert.equal(transport.tlsStarted, true);
    assert.equal(session.state.secure, true);
    assert.equal(session.state.phase, 'authorization', 'the clear-text login was not run');
    const capa = await send('CAPA\r\n', /\r\n\.\r\n$/);
    assert.match(capa, /\r\nUSER\r\nSASL PLAIN\r\n/);
    assert.doesNotMatch(capa, /STLS/);
    assert.equal(await send('STLS\r\n', /\r\n$/), '-ERR Command not permitted when TLS active\r\n');
    assert.match(await send('USER alice\r\nPASS secret pass\r\n', /Logged in.*\r\n$/), /^\+OK/);
  });

  it('refuses STLS when no certificate is configured', async () => {
    const { send } = await connect();
    assert.equal(await send('STLS\r\n', /\r\n$/), '-ERR TLS is not available\r\n');
  });
});

describe('Pop3Session: AUTH PLAIN (RFC 5034)', () => {
  const plain = (text: string): string => Buffer.from(text).toString('base64');

  it('logs in with an initial response', async () => {
    const { send } = await connect();
    const reply = await send(`AUTH PLAIN ${plain('\0alice\0secret pass')}\r\n`, /\r\n$/);
    assert.match(reply, /^\+OK Logged in, 3 messages/);
  });

  it('logs in after the "+ " continuation, with a matching authorization id', async () => {
    const { send } = await connect();
    assert.equal(await send('AUTH PLAIN\r\n', /\r\n$/), '+ \r\n');
    const reply = await send(`${plain('alice\0alice\0secret pass')}\r\n`, /\r\n$/);
    assert.match(reply, /^\+OK Logged in/);
  });

  it('refuses cancel, garbage, another user to act as, and unknown mechanisms', async () => {
    const { send, session } = await connect();
    await send('AUTH PLAIN\r\n', /\r\n$/);
    assert.equal(await send('*\r\n', /\r\n$/), '-ERR Authentication cancelled\r\n');
    assert.equal(await send('AUTH PLAIN %%%\r\n', /\r\n$/), '-ERR Response is not base64\r\n');
    assert.equal(
      await send('AUTH PLAIN =\r\n', /\r\n$/),
      '-ERR [AUTH] Malformed PLAIN response\r\n',
    );
    assert.equal(
      await send(`AUTH PLAIN ${plain('bob\0alice\0secret pass')}\r\n`, /\r\n$/),
      '-ERR [AUTH] Malformed PLAIN response\r\n',
    );
    assert.equal(await send('AUTH LOGIN\r\n', /\r\n$/), '-ERR Unsupported mechanism\r\n');
    assert.equal(
      await send(`AUTH PLAIN ${plain('\0alice\0wrong')}\r\n`, /\r\n$/),
      '-ERR [AUTH] Authentication failed\r\n',
    );
    assert.equal(session.state.phase, 'authorization');
  });

  it('lists the mechanisms for a bare AUTH', async () => {
    const { send } = await connect();
    assert.equal(
      await send('AUTH\r\n', /\.\r\n$/),
      '+OK Supported mechanisms follow\r\nPLAIN\r\n.\r\n',
    );
  });
});

describe('Pop3Session: TRANSACTION state', () => {
  it('answers STAT, LIST and UIDL over the snapshot', async () => {
    const { send } = await loggedIn();
    const sizes = MESSAGES.map((text) => Buffer.byteLength(text));
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.equal(await send('STAT\r\n', /\r\n$/), `+OK 3 ${total}\r\n`);
    assert.equal(
      await send('LIST\r\n', /\r\n\.\r\n$/),
      `+OK 3 messages (${total} octets)\r\n1 ${sizes[0]}\r\n2 ${sizes[1]}\r\n3 ${sizes[2]}\r\n.\r\n`,
    );
    assert.equal(await send('LIST 2\r\n', /\r\n$/), `+OK 2 ${sizes[1]}\r\n`);
    const { uidValidity } = await alice.selectFolder('INBOX', { claimRecent: false });
    assert.equal(
      await send('UIDL\r\n', /\r\n\.\r\n$/),
      `+OK Unique-id listing follows\r\n1 ${uidValidity}.1\r\n2 ${uidValidity}.2\r\n3 ${uidValidity}.3\r\n.\r\n`,
    );
    assert.equal(await send('uidl 3\r\n', /\r\n$/), `+OK 3 ${uidValidity}.3\r\n`);
  });

  it('sends RETR dot-stuffed, with the size LIST announced, ending in CRLF.CRLF', async () => {
    const { send } = await loggedIn();
    const size = Buffer.byteLength(MESSAGES[1]);
    assert.equal(
      await send('RETR 2\r\n', /\r\n\.\r\n$/),
      `+OK ${size} octets\r\nSubject: two\r\n\r\n..starts with a dot\r\nmiddle\r\n...two dots\r\nlast\r\n.\r\n`,
    );
    assert.equal(
      await send('RETR 3\r\n', /\r\n\.\r\n$/),
      `+OK ${Buffer.byteLength(MESSAGES[2])} octets\r\nSubject: three\r\n\r\n.\r\n`,
    );
  });

  it('sends TOP with the header and the asked number of body lines', async () => {
    const { send } = await loggedIn();
    assert.equal(
      await send('TOP 2 0\r\n', /\r\n\.\r\n$/),
      '+OK Top of message follows\r\nSubject: two\r\n\r\n.\r\n',
    );
    assert.equal(
      await send('TOP 2 2\r\n', /\r\n\.\r\n$/),
      '+OK Top of message follows\r\nSubject: two\r\n\r\n..starts with a dot\r\nmiddle\r\n.\r\n',
    );
  });

  it('refuses bad message numbers and counts without crashing', async () => {
    const { send, session } = await loggedIn({ maxBadCommands: 100 });
    const cases: [string, string][] = [
      ['RETR 0', '-ERR No such message'],
      ['RETR 4', '-ERR No such message'],
      ['RETR 99999999999999999999', '-ERR Invalid message number'],
      ['RETR -1', '-ERR Invalid message number'],
      ['RETR', '-ERR RETR takes one message number'],
      ['RETR 1 2', '-ERR RETR takes one message number'],
      ['TOP 1 -1', '-ERR Invalid line count'],
      ['TOP 1', '-ERR TOP takes a message and a count'],
      ['TOP x 1', '-ERR Invalid message number'],
      ['LIST 1 2', '-ERR LIST takes at most one argument'],
      ['LIST 9999999999', '-ERR No such message'],
      ['UIDL 0', '-ERR No such message'],
      ['DELE 1e3', '-ERR Invalid message number'],
      ['STAT 1', '-ERR STAT takes no argument'],
      ['USER bob', '-ERR USER is not valid after login'],
      ['STLS', '-ERR STLS is not valid after login'],
    ];
    for (const [command, answer] of cases) {
      assert.equal(await send(`${command}\r\n`, /\r\n$/), `${answer}\r\n`, command);
    }
    assert.equal(session.isClosed, false);
    assert.match(await send('NOOP\r\n', /\r\n$/), /^\+OK\r\n$/);
  });

  it('marks with DELE, hides the message, and RSET brings it back', async () => {
    const { send } = await loggedIn();
    assert.equal(await send('DELE 1\r\n', /\r\n$/), '+OK Message 1 deleted\r\n');
    assert.equal(await send('DELE 1\r\n', /\r\n$/), '-ERR Message 1 is deleted\r\n');
    assert.equal(await send('RETR 1\r\n', /\r\n$/), '-ERR Message 1 is deleted\r\n');
    assert.match(
      await send('LIST\r\n', /\r\n\.\r\n$/),
      /^\+OK 2 messages .*\r\n2 \d+\r\n3 \d+\r\n\.\r\n$/,
    );
    assert.match(await send('STAT\r\n', /\r\n$/), /^\+OK 2 /);
    assert.match(await send('RSET\r\n', /\r\n$/), /^\+OK Maildrop has 3 messages/);
    assert.match(await send('STAT\r\n', /\r\n$/), /^\+OK 3 /);
  });

  it('expunges the deleted messages on QUIT and marks the retrieved ones \\Seen', async () => {
    // Another client's \Deleted mark on message 3 must survive a POP3 QUIT.
    await alice.storeFlags('INBOX', [3], 'add', ['\\Deleted']);
    const { send, transport } = await loggedIn();
    await send('RETR 2\r\n', /\r\n\.\r\n$/);
    await send('DELE 1\r\n', /\r\n$/);
    assert.equal(await send('QUIT\r\n', /\r\n$/), '+OK test signing off (1 messages deleted)\r\n');
    await nextTurn();
    assert.equal(transport.closed, true);
    const { messages } = await alice.selectFolder('INBOX', { claimRecent: false });
    assert.deepEqual(
      messages.map((m) => [m.uid, m.flags]),
      [
        [2, ['\\Seen']],
        [3, ['\\Deleted']],
      ],
    );
  });

  it('keeps the messages when the connection ends without QUIT', async () => {
    const { send, session } = await loggedIn();
    await send('DELE 1\r\nDELE 2\r\n', /deleted\r\n.*deleted\r\n$/s);
    session.closedByPeer();
    assert.deepEqual(await inboxUids(), [1, 2, 3]);
  });

  it('lets two sessions work on one box; a message gone meanwhile is a [SYS/TEMP] answer', async () => {
    const first = await loggedIn();
    const second = await loggedIn();
    await first.send('DELE 1\r\nQUIT\r\n', /signing off.*\r\n$/);
    assert.deepEqual(await inboxUids(), [2, 3]);
    assert.equal(
      await second.send('RETR 1\r\n', /\r\n$/),
      '-ERR [SYS/TEMP] Message 1 was removed by another session\r\n',
    );
    assert.equal(
      await second.send('TOP 1 0\r\n', /\r\n$/),
      '-ERR [SYS/TEMP] Message 1 was removed by another session\r\n',
    );
    assert.match(
      await second.send('RETR 2\r\n', /\r\n\.\r\n$/),
      /^\+OK \d+ octets\r\nSubject: two/,
    );
    assert.match(await second.send('DELE 1\r\nDELE 3\r\n', /3 deleted\r\n$/), /1 deleted/);
    assert.equal(
      await second.send('QUIT\r\n', /\r\n$/),
      '+OK test signing off (1 messages deleted)\r\n',
    );
    assert.deepEqual(await inboxUids(), [2]);
    const third = await loggedIn();
    assert.match(await third.send('STAT\r\n', /\r\n$/), /^\+OK 1 /);
  });

  it('does not see mail that arrived after login: numbers stay stable', async () => {
    const { send } = await loggedIn();
    await alice.appendMessage('INBOX', Buffer.from('Subject: late\r\n\r\nx\r\n'), [], new Date());
    assert.match(await send('STAT\r\n', /\r\n$/), /^\+OK 3 /);
    assert.equal(await send('RETR 4\r\n', /\r\n$/), '-ERR No such message\r\n');
  });

  it('answers -ERR [SYS/TEMP] when the store fails in the UPDATE state', async () => {
    const { send, session } = await loggedIn();
    const access = session.state.access as MailboxAccess;
    access.expunge = () => Promise.reject(new Error('disk full'));
    await send('DELE 1\r\n', /\r\n$/);
    assert.equal(
      await send('QUIT\r\n', /\r\n$/),
      '-ERR [SYS/TEMP] Some deleted messages not removed\r\n',
    );
  });

  it('answers [SYS/TEMP] and goes on when reading a message fails', async () => {
    const { send, session } = await loggedIn();
    const access = session.state.access as MailboxAccess;
    access.readMessage = () => Promise.reject(new Error('blob store unreachable'));
    assert.equal(
      await send('RETR 1\r\n', /\r\n$/),
      '-ERR [SYS/TEMP] Message 1 cannot be read now\r\n',
    );
    assert.match(await send('STAT\r\n', /\r\n$/), /^\+OK 3 /);
  });
});

describe('Pop3Session: limits and bad input', () => {
  it('answers pipelined commands in order', async () => {
    const { send } = await loggedIn();
    const reply = await send(
      'STAT\r\nLIST 1\r\nNOOP\r\nUIDL 2\r\nBOGO\r\nRETR 3\r\n',
      /\r\n\.\r\n$/,
    );
    const lines = reply.split('\r\n');
    assert.match(lines[0], /^\+OK 3 /);
    assert.match(lines[1], /^\+OK 1 \d+$/);
    assert.equal(lines[2], '+OK');
    assert.match(lines[3], /^\+OK 2 \d+\.2$/);
    assert.equal(lines[4], '-ERR Unknown command BOGO');
    assert.match(lines[5], /^\+OK \d+ octets$/);
  });

  it('refuses a line over 255 octets with -ERR and goes on', async () => {
    const { send } = await loggedIn();
    assert.equal(await send(`LIST ${'1'.repeat(300)}\r\n`, /\r\n$/), '-ERR Line too long\r\n');
    assert.match(await send('STAT\r\n', /\r\n$/), /^\+OK 3/);
  });

  it('closes after too many malformed commands in a row', async () => {
    const { send, transport } = await connect({ maxBadCommands: 3 });
    const reply = await send('X\r\nYYYYY\r\n\0\0\0\r\nSTAT\r\n', /closing\r\n$/);
    assert.equal(
      reply,
      '-ERR Unknown command\r\n-ERR Unknown command\r\n-ERR Unknown command\r\n' +
        '-ERR Too many invalid commands, closing\r\n',
    );
    assert.equal(transport.closed, true);
  });

  it('logs out an idle client without entering the UPDATE state', async () => {
    const { send, transport } = await loggedIn({ idleTimeoutMs: 80 });
    await send('DELE 1\r\n', /\r\n$/);
    assert.equal(
      await transport.until(/inactivity\r\n$/, 1000),
      '-ERR Disconnected for inactivity\r\n',
    );
    assert.equal(transport.closed, true);
    assert.deepEqual(await inboxUids(), [1, 2, 3]);
  });

  it('waits for the client to drain a large RETR and pauses reading meanwhile', async () => {
    const big = Buffer.alloc(1024 * 1024, 'x'.charCodeAt(0));
    for (let i = 100; i < big.length; i += 100) big.write('\r\n', i - 2, 'latin1');
    big.write('Subject: big\r\n\r\n', 0, 'latin1');
    await alice.appendMessage('INBOX', big, [], new Date());
    const { session, transport } = await loggedIn();
    transport.take();
    transport.congested = true;
    session.receive(Buffer.from('RETR 4\r\n'));
    session.receive(Buffer.from('NOOP\r\n'.repeat(20_000)));
    session.receive(Buffer.from('QUIT\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sent = transport.text().length;
    assert.ok(sent < big.length, `the session waits for the drain (sent ${sent})`);
    assert.equal(transport.paused, true, 'input is paused while commands pile up');
    transport.drain();
    while (!transport.closed) await new Promise((resolve) => setTimeout(resolve, 10));
    const all = transport.text();
    assert.ok(all.startsWith(`+OK ${big.length} octets\r\nSubject: big`));
    // The last 76 octets had no line end: the RETR answer adds one before the final dot.
    assert.ok(all.includes(`\r\n${'x'.repeat(76)}\r\n.\r\n+OK\r\n`), 'RETR ends before NOOP');
    assert.equal(all.split('+OK\r\n').length - 1, 20_000, 'every pipelined NOOP was answered');
    assert.ok(all.endsWith('signing off (0 messages deleted)\r\n'));
  });
});
