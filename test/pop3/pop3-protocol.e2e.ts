import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemoryMailStore } from '../../libs/imap/src/testing/in-memory-mailbox-access';
import { Pop3Server } from '../../libs/pop3/src';
import { testCertificate } from '../imap/test-certificate';
import { RawPop3Client } from './raw-pop3-client';

/** Server behaviour seen on the wire: limits, lock-out, timeouts, implicit TLS. */
describe('Pop3Server over sockets', () => {
  const store = new InMemoryMailStore();
  let server: Pop3Server;
  let tlsServer: Pop3Server;
  let port: number;
  let tlsPort: number;

  before(async () => {
    const alice = store.addUser('alice', 'pw');
    await alice.appendMessage('INBOX', Buffer.from('Subject: hi\r\n\r\nbody\r\n'), [], new Date());
    server = new Pop3Server({
      authenticator: store,
      port: 0,
      maxConnectionsPerIp: 3,
      failedLoginDelayMs: 50,
      maxFailedLogins: 2,
      idleTimeoutMs: 300,
    });
    port = (await server.listen()).port;
    tlsServer = new Pop3Server({
      authenticator: store,
      port: 0,
      tls: testCertificate(),
      implicitTls: true,
    });
    tlsPort = (await tlsServer.listen()).port;
  });

  after(async () => {
    await Promise.all([server.close(), tlsServer.close()]);
  });

  it('refuses connections over the per-IP limit with [SYS/TEMP], and admits again after one left', async () => {
    const open = await Promise.all([1, 2, 3].map(() => RawPop3Client.connect(port)));
    for (const client of open) await client.until(/ready\r\n/);
    const refused = await RawPop3Client.connect(port);
    assert.equal(
      await refused.until(/\r\n/),
      '-ERR [SYS/TEMP] Too many connections from your address\r\n',
    );
    await refused.closedByServer();
    open[0].write('QUIT\r\n');
    await open[0].closedByServer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const admitted = await RawPop3Client.connect(port);
    assert.match(await admitted.until(/\r\n/), /^\+OK .*ready/);
    for (const client of [...open, admitted]) client.destroy();
    while (server.connectionCount) await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('closes the connection after the last allowed failed login', async () => {
    const client = await RawPop3Client.connect(port);
    await client.until(/ready\r\n/);
    client.write('USER alice\r\nPASS no\r\nUSER alice\r\nPASS nope\r\nUSER alice\r\nPASS pw\r\n');
    const lines = (await client.closedByServer()).split('\r\n').filter(Boolean);
    assert.deepEqual(lines, [
      '+OK Send PASS',
      '-ERR [AUTH] Authentication failed',
      '+OK Send PASS',
      '-ERR [AUTH] Authentication failed, too many attempts',
    ]);
  });

  it('logs out an idle connection', async () => {
    const client = await RawPop3Client.connect(port);
    await client.until(/ready\r\n/);
    assert.equal(
      await client.until(/inactivity\r\n/, 2000),
      '-ERR Disconnected for inactivity\r\n',
    );
    await client.closedByServer();
    assert.equal(client.isClosed, true);
  });

  it('logs out a client that streams a line without end', async () => {
    const client = await RawPop3Client.connect(port);
    await client.until(/ready\r\n/);
    const stream = setInterval(() => client.write(Buffer.alloc(4096, 0x41)), 20);
    try {
      const reply = await client.closedByServer(3000);
      assert.equal(reply, '-ERR Line too long\r\n-ERR Disconnected for inactivity\r\n');
    } finally {
      clearInterval(stream);
    }
  });

  it('refuses a 100 KB line with one -ERR and keeps serving', async () => {
    const client = await RawPop3Client.connect(port);
    await client.until(/ready\r\n/);
    client.write(`USER ${'a'.repeat(100_000)}\r\nUSER alice\r\nPASS pw\r\nSTAT\r\n`);
    const reply = await client.until(/\+OK 1 \d+\r\n/);
    assert.match(reply, /^-ERR Line too long\r\n\+OK Send PASS\r\n\+OK Logged in/);
    client.destroy();
  });

  it('serves a whole session over implicit TLS', async () => {
    const client = await RawPop3Client.connect(tlsPort, true);
    await client.until(/ready\r\n/);
    client.write('CAPA\r\n');
    const capa = await client.until(/\r\n\.\r\n/);
    assert.match(capa, /\r\nUSER\r\nSASL PLAIN\r\n/);
    assert.doesNotMatch(capa, /STLS/, 'no STLS on an encrypted connection');
    client.write(
      `AUTH PLAIN ${Buffer.from('\0alice\0pw').toString('base64')}\r\nRETR 1\r\nQUIT\r\n`,
    );
    const reply = await client.until(/signing off.*\r\n/);
    assert.match(reply, /\+OK 21 octets\r\nSubject: hi\r\n\r\nbody\r\n\.\r\n/);
    await client.closedByServer();
  });
});
