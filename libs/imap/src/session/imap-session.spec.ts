import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImapAuthenticator, MailboxAccess, MailboxChange } from '../mailbox-access';
import { InMemoryMailStore } from '../testing/in-memory-mailbox-access';
import { sessionHarness } from '../testing/session-harness';
import { DEFAULT_SESSION_LIMITS } from './imap-session';

const setup = sessionHarness;

describe('ImapSession', () => {
  it('authenticates with SASL PLAIN after a continuation, and with SASL-IR', async () => {
    const { transport, send, command } = await setup();
    send('a AUTHENTICATE PLAIN\r\n');
    assert.equal(await transport.until(/^\+ \r\n/), '+ \r\n');
    send(`${Buffer.from('\0u\0p').toString('base64')}\r\n`);
    assert.match(await transport.until(/a (OK|NO).*\r\n/), /^a OK \[CAPABILITY IMAP4rev1 /);
    const second = await setup();
    assert.match(
      await second.command('b', `AUTHENTICATE PLAIN ${Buffer.from('u\0u\0p').toString('base64')}`),
      /b OK/,
    );
    const third = await setup();
    third.send('c AUTHENTICATE PLAIN\r\n');
    await third.transport.until(/^\+ /);
    third.send('*\r\n');
    assert.match(
      await third.transport.until(/c (OK|NO|BAD).*\r\n/),
      /c BAD Authentication cancelled/,
    );
    assert.match(
      await third.command('d', `AUTHENTICATE PLAIN ${Buffer.from('\0u\0x').toString('base64')}`),
      /d NO \[AUTHENTICATIONFAILED\]/,
    );
    assert.match(await command('e', 'NOOP'), /e OK/);
  });

  it('delays failed logins and closes after too many', async () => {
    const { command, transport } = await setup({ failedLoginDelayMs: 100 });
    const started = Date.now();
    assert.match(await command('a', 'LOGIN u wrong'), /a NO \[AUTHENTICATIONFAILED\]/);
    assert.ok(Date.now() - started >= 90);
    await command('b', 'LOGIN u wrong');
    assert.equal(transport.closed, false);
    await command('c', 'LOGIN u wrong');
    assert.equal(transport.closed, true);
  });

  it('refuses plaintext login before TLS when required, and offers STARTTLS', async () => {
    const { command, transport } = await setup({ requireTlsForAuth: true });
    assert.match(await command('a', 'CAPABILITY'), /LOGINDISABLED/);
    assert.match(await command('b', 'LOGIN u p'), /b NO \[PRIVACYREQUIRED\]/);
    assert.match(await command('c', 'STARTTLS'), /c OK/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(transport.tlsStarted, true);
    assert.match(await command('d', 'CAPABILITY'), /AUTH=PLAIN/);
    assert.doesNotMatch(await command('e', 'CAPABILITY'), /STARTTLS/);
    assert.match(await command('f', 'LOGIN u p'), /f OK/);
  });

  it('drops commands pipelined after STARTTLS', async () => {
    const { send, transport } = await setup();
    send('a STARTTLS\r\nb LOGIN u p\r\n');
    await transport.until(/a OK.*\r\n/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.doesNotMatch(transport.text(), /b (OK|NO|BAD)/);
  });

  it('runs pipelined commands in order with untagged data before each tag', async () => {
    const { send, transport, access } = await setup();
    await access.appendMessage('INBOX', Buffer.from('Subject: a\r\n\r\nx'), [], new Date());
    send('1 LOGIN u p\r\n2 SELECT INBOX\r\n3 FETCH 1 (UID)\r\n4 LOGOUT\r\n');
    const text = await transport.until(/4 OK.*\r\n/);
    const order = [...text.matchAll(/^(\S+) /gm)].map((m) => m[1]);
    assert.deepEqual(
      order.filter((t) => t !== '*'),
      ['1', '2', '3', '4'],
    );
    assert.ok(text.indexOf('* 1 FETCH (UID 1)') < text.indexOf('3 OK'));
    assert.ok(text.indexOf('* BYE') < text.indexOf('4 OK'));
    assert.equal(transport.closed, true);
  });

  it('sends keep-alives in IDLE, pushes changes, answers the IDLE tag on DONE', async () => {
    const { send, transport, command, access } = await setup();
    await command('a', 'LOGIN u p');
    await command('b', 'SELECT INBOX');
    send('c IDLE\r\n');
    await transport.until(/\+ idling\r\n/);
    await transport.until(/\* OK Still here\r\n/, 500);
    await access.appendMessage('INBOX', Buffer.from('Subject: a\r\n\r\nx'), [], new Date());
    assert.match(await transport.until(/\* 1 EXISTS\r\n/), /\* 1 RECENT/);
    send('DONE\r\n');
    assert.match(await transport.until(/c OK.*\r\n/), /c OK IDLE terminated/);
    send('d IDLE\r\nNOT DONE\r\n');
    assert.match(await transport.until(/d (OK|BAD).*\r\n/), /d BAD Expected DONE/);
  });

  it('coalesces a burst of change events during IDLE into one folder read', async () => {
    const store = new InMemoryMailStore();
    const owner = store.addUser('w', 'p');
    let reads = 0;
    let notify: ((change: MailboxChange) => void) | undefined;
    // The session's view of the store, counting folder reads and holding its listener.
    const authenticator: ImapAuthenticator = {
      async authenticate(user, password) {
        const access = await store.authenticate(user, password);
        if (!access) return null;
        return new Proxy(access, {
          get(target, property, receiver) {
            if (property === 'selectFolder') {
              return (...args: Parameters<MailboxAccess['selectFolder']>) => {
                reads++;
                return target.selectFolder(...args);
              };
            }
            if (property === 'subscribe') {
              return (listener: (change: MailboxChange) => void) => {
                notify = listener;
                return () => undefined;
              };
            }
            return Reflect.get(target, property, receiver);
          },
        });
      },
    };
    const { send, transport, command } = await setup({ authenticator, idleKeepaliveMs: 60_000 });
    await command('a', 'LOGIN w p');
    await command('b', 'SELECT INBOX');
    send('c IDLE\r\n');
    await transport.until(/\+ idling\r\n/);
    for (let i = 0; i < 50; i++) {
      await owner.appendMessage('INBOX', Buffer.from(`Subject: ${i}\r\n\r\n`), [], new Date());
    }
    // 50 events at once, as a store relaying a burst from Redis would deliver them.
    reads = 0;
    for (let i = 0; i < 50; i++) notify?.({ folder: 'INBOX', kind: 'added' });
    await transport.until(/\* 50 EXISTS\r\n/);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let any further updates run
    assert.ok(reads <= 2, `${reads} folder reads for one burst of 50 events`);
    send('DONE\r\n');
    await transport.until(/c OK/);
  });

  it('ends an IDLE that outlives the server time-out with BYE', async () => {
    const { send, transport, command } = await setup({ idleTimeoutMs: 60, idleKeepaliveMs: 1000 });
    await command('a', 'LOGIN u p');
    send('b IDLE\r\n');
    assert.match(await transport.until(/\* BYE.*\r\n/), /IDLE timed out/);
    assert.equal(transport.closed, true);
  });

  it('tells a selected session of flag changes and expunges made elsewhere', async () => {
    const { command, access } = await setup();
    await access.appendMessage('INBOX', Buffer.from('Subject: 1\r\n\r\n1'), [], new Date());
    await access.appendMessage('INBOX', Buffer.from('Subject: 2\r\n\r\n2'), [], new Date());
    await access.appendMessage('INBOX', Buffer.from('Subject: 3\r\n\r\n3'), [], new Date());
    await command('a', 'LOGIN u p');
    await command('b', 'SELECT INBOX');
    await access.storeFlags('INBOX', [3], 'add', ['\\Flagged']);
    await access.storeFlags('INBOX', [1], 'add', ['\\Deleted']);
    await access.expunge('INBOX');
    await new Promise((resolve) => setImmediate(resolve));
    // A plain FETCH may carry flag updates but no EXPUNGE (sequence numbers must hold);
    // the expunge comes with the next NOOP.
    const fetch = await command('c', 'FETCH 1 (UID)');
    assert.doesNotMatch(fetch, /EXPUNGE/);
    assert.match(fetch, /\* 3 FETCH \(UID 3 FLAGS \(\\Flagged \\Recent\)\)/);
    const noop = await command('d', 'NOOP');
    assert.equal(noop, '* 1 EXPUNGE\r\nd OK NOOP completed\r\n');
    assert.match(await command('e', 'FETCH 2 (UID)'), /\* 2 FETCH \(UID 3\)/);
  });

  it('closes after a huge non-synchronizing literal, answers NO to a synchronizing one', async () => {
    const { send, transport } = await setup();
    send('a LOGIN {99999999999}\r\n');
    assert.match(await transport.until(/a NO.*\r\n/), /a NO \[TOOBIG\]/);
    send('b LOGIN {99999999999+}\r\nxx');
    assert.match(await transport.until(/\* BYE.*\r\n/), /TOOBIG/);
    assert.equal(transport.closed, true);
  });

  it('allows only small literals before login, message-sized ones after', async () => {
    const { command, send, transport } = await setup();
    send('a LOGIN {9000}\r\n');
    assert.match(await transport.until(/a (NO|OK|BAD).*\r\n/), /^a NO \[TOOBIG\]/);
    assert.match(await command('b', 'LOGIN {1+}\r\nu {1+}\r\np'), /b OK/);
    const big = 'x'.repeat(9000);
    assert.match(await command('c', `APPEND INBOX {${big.length}+}\r\n${big}`), /c OK \[APPENDUID/);
  });

  it('pauses input when too many commands are queued', async () => {
    const { session, transport } = await setup();
    session.receive(
      Buffer.from('x NOOP\r\n'.repeat(DEFAULT_SESSION_LIMITS.maxQueuedCommands + 10)),
    );
    // The first command is already running; the rest wait, so input is paused...
    assert.equal(transport.paused, true);
    await transport.until(/(x OK.*\r\n){70}/);
    // ...and resumed once the queue has been worked off.
    assert.equal(transport.paused, false);
  });

  it('answers NO [BADCHARSET] for an unknown search charset and BAD for bad sequence numbers', async () => {
    const { command } = await setup();
    await command('a', 'LOGIN u p');
    await command('b', 'SELECT INBOX');
    assert.match(await command('c', 'SEARCH CHARSET KOI9 TEXT x'), /c NO \[BADCHARSET \(UTF-8/);
    assert.match(await command('d', 'FETCH 5 FLAGS'), /d BAD Invalid message sequence number/);
    assert.match(await command('e', 'UID FETCH 999 FLAGS'), /^e OK/);
    assert.match(await command('f', 'COPY 1:* Nowhere'), /f (OK|BAD)/);
  });
});
