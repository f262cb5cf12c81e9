import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { InMemoryMailStore } from '../../libs/imap/src/testing/in-memory-mailbox-access';
import { Pop3Server, Pop3Session } from '../../libs/pop3/src';
import { RecordingTransport } from '../../libs/pop3/src/testing/recording-transport';
import { RawPop3Client } from './raw-pop3-client';

/** A small seeded PRNG (mulberry32) so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'USER',
  'PASS',
  'AUTH',
  'PLAIN',
  'STLS',
  'CAPA',
  'QUIT',
  'STAT',
  'LIST',
  'UIDL',
  'RETR',
  'TOP',
  'DELE',
  'NOOP',
  'RSET',
  'APOP',
  'LAST',
  'alice',
  'secret',
  '*',
  '=',
  'AGFsaWNlAHNlY3JldA==',
  '0',
  '1',
  '2',
  '3',
  '-1',
  '+1',
  '99999999999999999999',
  '4294967296',
  '1e9',
  '0x1',
  '',
  ' ',
  '\t',
  '.',
  '..',
  '\0',
  '\r',
  '\n',
  '\r\n',
  '\xff\xfe',
  '中文',
];

/** Lines a client might send: valid commands in any state, bad numbers, binary, huge. */
function fuzzInput(next: () => number): Buffer {
  const pieces: Buffer[] = [];
  const lines = 1 + Math.floor(next() * 30);
  for (let line = 0; line < lines; line++) {
    const roll = next();
    if (roll < 0.05) {
      pieces.push(
        Buffer.alloc(1000 + Math.floor(next() * 200_000), 0x41 + Math.floor(next() * 26)),
      );
    } else if (roll < 0.15) {
      pieces.push(
        Buffer.from(Array.from({ length: Math.floor(next() * 300) }, () => next() * 256)),
      );
    } else {
      const count = 1 + Math.floor(next() * 4);
      const words = Array.from({ length: count }, () => TOKENS[Math.floor(next() * TOKENS.length)]);
      pieces.push(Buffer.from(words.join(' '), 'latin1'));
    }
    pieces.push(Buffer.from(next() < 0.9 ? '\r\n' : '\n'));
  }
  return Buffer.concat(pieces);
}

describe('POP3 bad input (fuzz)', () => {
  const store = new InMemoryMailStore();
  /** Everything the sessions log at error level: a bug surfacing as an internal error. */
  const internalErrors: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => internalErrors.push(line) });
  let server: Pop3Server;
  let port: number;

  before(async () => {
    const alice = store.addUser('alice', 'secret');
    for (let i = 0; i < 3; i++) {
      await alice.appendMessage(
        'INBOX',
        Buffer.from(`Subject: ${i}\r\n\r\n.x\r\n`),
        [],
        new Date(),
      );
    }
    // Fuzzed sessions may DELE and QUIT in alice's box; the final check uses a box they cannot reach.
    const carol = store.addUser('carol', 'carol-pw');
    for (let i = 0; i < 3; i++) {
      await carol.appendMessage('INBOX', Buffer.from(`Subject: ${i}\r\n\r\nx\r\n`), [], new Date());
    }
    server = new Pop3Server({ authenticator: store, port: 0, failedLoginDelayMs: 0, logger });
    port = (await server.listen()).port;
  });

  after(() => server.close());

  it('answers 400 seeded random sessions with +OK/-ERR or closes, never an internal error', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const transport = new RecordingTransport(next() < 0.5);
      const session = new Pop3Session(transport, {
        authenticator: store,
        tlsAvailable: true,
        requireTlsForAuth: false,
        serverName: 'fuzz',
        failedLoginDelayMs: 0,
        maxFailedLogins: 5,
        maxLineLength: 255,
        maxSaslLineLength: 1024,
        idleTimeoutMs: 60_000,
        maxBadCommands: 50,
        logger,
      });
      session.start();
      // Start logged in half of the time, so TRANSACTION commands get fuzzed too.
      if (next() < 0.5) session.receive(Buffer.from('USER alice\r\nPASS secret\r\n'));
      const input = fuzzInput(next);
      for (let at = 0; at < input.length;) {
        const size = 1 + Math.floor(next() * 4096);
        session.receive(input.subarray(at, at + size));
        at += size;
        if (next() < 0.3) await new Promise((resolve) => setImmediate(resolve));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      session.closedByPeer();
      const output = transport.text();
      assert.doesNotMatch(output, /Internal/, `seed ${seed}`);
      assert.ok(output.startsWith('+OK fuzz Dizi POP3 server ready\r\n'), `seed ${seed}`);
    }
    assert.deepEqual(internalErrors, []);
  });

  it('survives 20 garbage clients over sockets with bounded memory, and still serves', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const next = random(2026);
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => RawPop3Client.connect(port)),
    );
    await Promise.all(
      clients.map(async (client, index) => {
        await client.until(/ready\r\n/);
        // Some clients never send a line end at all: 2 MB with no LF must not be buffered.
        if (index % 5 === 0) client.write(Buffer.alloc(2 * 1024 * 1024, 0x58));
        for (let round = 0; round < 5; round++) client.write(fuzzInput(next));
        client.write('\r\nQUIT\r\n');
      }),
    );
    await Promise.all(clients.map((client) => client.closedByServer(10_000)));
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    assert.ok(grownMb < 64, `heap grew by ${grownMb.toFixed(1)} MB`);
    assert.deepEqual(internalErrors, []);

    const client = await RawPop3Client.connect(port);
    await client.until(/ready\r\n/);
    client.write('USER carol\r\nPASS carol-pw\r\nSTAT\r\nQUIT\r\n');
    assert.match(await client.closedByServer(), /\+OK 3 \d+\r\n\+OK .*signing off/);
  });
});
