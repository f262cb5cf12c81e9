import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiziHarness } from '../support/dizi-harness';
import { python } from '../support/peers';
import { SmtpWire, waitUntil } from '../support/smtp-wire';

// Issue 2, "Bad input": every kind of malformed client traffic gets the right reply or a
// clean close, the server stays up (a normal delivery works afterwards) and nothing
// half-written is delivered. Byte-level cases use raw sockets (test/support/smtp-wire).

const MAX_BYTES = 2 * 1024 * 1024;
const ALICE = 'alice@example.com';
const FUZZ = 'fuzz@example.com';

describe('inbound SMTP: bad input', () => {
  let dizi: DiziHarness;
  let normalCount = 0;

  before(async () => {
    dizi = await DiziHarness.start({
      http: false,
      config: {
        smtp: {
          maxMessageBytes: MAX_BYTES,
          // The random-bytes test opens hundreds of connections from 127.0.0.1.
          connectionsPerIpPerMinute: 100_000,
          connectionsPerIpAtOnce: 1000,
          socketTimeoutMs: 5000,
        },
      },
    });
    await dizi.addUser(ALICE);
    await dizi.addUser(FUZZ);
  });
  after(() => dizi.stop());

  const open = () => SmtpWire.connect(dizi.smtpPort);
  const spoolDir = () => path.join(dizi.config.dataDir, 'spool');
  const subjects = async (address = ALICE) => (await dizi.messages(address)).map((m) => m.subject);

  /** The spool's message files (the journal of envelopes stays). */
  const spoolFiles = () => readdirSync(spoolDir()).filter((n) => !n.startsWith('journal.'));
  /** Waits for the spool to hold no message: no partial file, no unprocessed entry. */
  const spoolDrained = () =>
    waitUntil(
      () => spoolFiles().length === 0,
      `an empty spool (left: ${spoolFiles().join(', ')})`,
      5000,
    );

  /** Nothing with this subject reached any mailbox, and the spool is clean. */
  async function assertNotStored(subject: string): Promise<void> {
    await spoolDrained();
    await dizi.services.processor.idle();
    for (const who of [ALICE, FUZZ])
      assert.ok(!(await subjects(who)).includes(subject), `"${subject}" must not be stored`);
  }

  /** The server still answers and delivers an ordinary message end to end. */
  async function assertStillDelivers(): Promise<void> {
    const subject = `normal delivery ${++normalCount}`;
    const c = await open();
    assert.equal(c.banner.code, 220);
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const r = await c.sendMail('sender@remote.test', [ALICE], `Subject: ${subject}\r\n\r\nok\r\n`);
    assert.equal(r.code, 250, r.raw);
    await c.quit();
    await waitUntil(async () => (await subjects()).includes(subject), `"${subject}" in INBOX`);
  }

  /** The stored bytes of the message with this subject. */
  async function storedRaw(subject: string, address = ALICE): Promise<Buffer> {
    const msgs = await waitUntil(async () => {
      const found = (await dizi.messages(address)).filter((m) => m.subject === subject);
      return found.length ? found : null;
    }, `"${subject}" stored`);
    assert.equal(msgs.length, 1, `exactly one "${subject}"`);
    return dizi.services.blobs.read(msgs[0].blobId);
  }

  /** Stored = our Received header (one field) + exactly the bytes the client sent. */
  function assertStoredExactly(stored: Buffer, sent: Buffer): void {
    assert.ok(stored.length > sent.length);
    const prefix = stored.subarray(0, stored.length - sent.length).toString('latin1');
    assert.ok(
      stored.subarray(stored.length - sent.length).equals(sent),
      'the message body is stored byte for byte',
    );
    assert.match(prefix, /^Received: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*$/, 'only a Received header');
  }

  test('garbage verbs, MAIL FROM:<<<, RCPT before MAIL, DATA before RCPT get 5xx; the session goes on', async () => {
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const expect = async (line: string, code: number, enhanced: string) => {
      const r = await c.command(line);
      assert.equal(r.code, code, `${line} -> ${r.raw}`);
      assert.ok(r.text.startsWith(enhanced), `${line} -> ${r.raw}`);
    };
    await expect('FOO bar', 500, '5.5.2');
    await expect('XYZZY', 500, '5.5.2');
    await expect('MAIL FROM:<<<', 501, '5.1.7');
    await expect('MAIL FROM', 501, '5.');
    await expect('RCPT TO:<alice@example.com>', 503, '5.5.1'); // no MAIL yet
    await expect('DATA', 503, '5.5.1');
    await expect('MAIL FROM:<sender@remote.test>', 250, '2.1.0');
    await expect('MAIL FROM:<again@remote.test>', 503, '5.5.1'); // nested MAIL
    await expect('DATA', 503, '5.5.1'); // no RCPT yet
    await expect('RSET', 250, '2.0.0');
    await expect('NOOP', 250, '2.0.0');
    const r = await c.sendMail(
      'sender@remote.test',
      [ALICE],
      'Subject: after garbage\r\n\r\nx\r\n',
    );
    assert.equal(r.code, 250, r.raw);
    await c.quit();
    await storedRaw('after garbage');
  });

  test('commands before EHLO get 503; the tenth unknown command ends the session with 421', async () => {
    const c = await open();
    const early = await c.command('MAIL FROM:<sender@remote.test>');
    assert.equal(early.code, 503, early.raw);
    for (let i = 1; i < 10; i++) {
      const r = await c.command(`BOGUS${i} \x01\x02`);
      assert.equal(r.code, 500, r.raw);
    }
    const last = await c.command('BOGUS10');
    assert.equal(last.code, 421, last.raw);
    await waitUntil(() => c.isClosed, 'the server to close a session that only sends garbage');
    await assertStillDelivers();
  });

  test('8-bit bytes in commands: replies, no mangled sender, and an ASCII-only Received header', async () => {
    const c = await open();
    const ctl = await c.command(Buffer.from('EHLO h\u0000\u0007x', 'latin1'));
    assert.equal(ctl.code, 501, ctl.raw); // control characters: not a host name
    const helo = Buffer.concat([Buffer.from('EHLO h'), Buffer.from([0xff, 0xfe, 0xe4])]);
    assert.equal((await c.command(helo)).code, 250);
    // Invalid UTF-8 in the sender: refused rather than stored as U+FFFD replacement characters.
    const mail = await c.command(
      Buffer.concat([
        Buffer.from('MAIL FROM:<'),
        Buffer.from([0xe4, 0xf6]),
        Buffer.from('@x.test>'),
      ]),
    );
    assert.equal(mail.code, 501, mail.raw);
    assert.match(mail.text, /^5\.1\.7 /);
    assert.equal((await c.command('MAIL FROM:<sender@remote.test>')).code, 250);
    const rcpt = await c.command(
      Buffer.concat([
        Buffer.from('RCPT TO:<al'),
        Buffer.from([0xe9]),
        Buffer.from('ce@example.com>'),
      ]),
    );
    assert.ok(rcpt.code === 501 || rcpt.code === 550, rcpt.raw);
    assert.equal((await c.command('RCPT TO:<alice@example.com>')).code, 250);
    assert.equal((await c.command('DATA')).code, 354);
    c.write('Subject: 8-bit helo\r\n\r\nbody\r\n.\r\n');
    assert.equal((await c.reply()).code, 250);
    await c.quit();
    const stored = await storedRaw('8-bit helo');
    const received = stored.subarray(0, stored.indexOf('Subject:'));
    assert.ok(
      received.every((b) => b === 0x09 || b === 0x0d || b === 0x0a || (b >= 0x20 && b < 0x7f)),
      `Received header is ASCII: ${JSON.stringify(received.toString('latin1'))}`,
    );
    assert.match(received.toString('latin1'), /^Received: from h /);
  });

  test('invalid addresses get 501 or 550 and reach nobody; DATA without a valid RCPT is refused', async () => {
    const before = (await subjects()).length;
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    for (const bad of ['<foo bar>', '<a@b@c.test>', 'no-brackets-at-all x', '<@>']) {
      const r = await c.command(`MAIL FROM:${bad}`);
      assert.equal(r.code, 501, `MAIL FROM:${bad} -> ${r.raw}`);
    }
    assert.equal((await c.command('MAIL FROM:<sender@remote.test>')).code, 250);
    const cases: Array<[string, RegExp]> = [
      ['<no-at-sign>', /^501 5\.1\.3 /],
      ['<alice@example.com@evil.test>', /^501 5\.1\.3 /],
      ['<@example.com>', /^501 5\.1\.3 /],
      ['<alice@>', /^501 5\.1\.3 /],
      ['<alice@example.com', /^501 5\.1\.3 /],
      ['<"a b"@example.com>', /^501 5\.1\.3 /],
      ['<"alice@example.com>', /^5(01|50) 5\.1\.[13] /],
      ['<alice@[127.0.0.1]>', /^550 5\.1\.1 /],
      [`<${'a'.repeat(5000)}@example.com>`, /^5(01|50) 5\.1\.[13] /],
      [`<alice@${'d'.repeat(300)}.test>`, /^5(01|50) 5\.[17]\.[13] /],
      ['<alice\u0000@example.com>', /^5(01|50) 5\.1\.[13] /],
    ];
    for (const [addr, want] of cases) {
      const r = await c.command(Buffer.from(`RCPT TO:${addr}`, 'latin1'));
      assert.match(r.raw, want, `RCPT TO:${addr.slice(0, 40)} -> ${r.raw}`);
    }
    const data = await c.command('DATA');
    assert.equal(data.code, 503, data.raw);
    assert.match(data.text, /^5\.5\.1 /);
    await c.quit();
    await spoolDrained();
    await dizi.services.processor.idle();
    assert.equal((await subjects()).length, before, 'nothing reached alice');
  });

  test('bare LF: as the command terminator, and inside DATA (stored with CRLF; LF.LF does not end DATA)', async () => {
    const c = await open();
    for (const line of ['EHLO lf.test', 'MAIL FROM:<sender@remote.test>', `RCPT TO:<${ALICE}>`]) {
      c.write(`${line}\n`);
      assert.equal((await c.reply()).code, 250, line);
    }
    c.write('DATA\n');
    assert.equal((await c.reply()).code, 354);
    // "\n.\n" must not end the message: a server that took it as the end would run the
    // smuggled MAIL FROM as a second transaction (SMTP smuggling).
    c.write(
      'Subject: bare lf\nX-Test: 1\n\nline one\nline two\r\nline three\n.\nMAIL FROM:<evil@smuggle.test>\nRCPT TO:<alice@example.com>\nDATA\nSubject: smuggled\n\nline four\n',
    );
    c.write('\r\n.\r\n');
    const done = await c.reply();
    assert.equal(done.code, 250, done.raw);
    await c.quit();
    const stored = (await storedRaw('bare lf')).toString('latin1');
    assert.ok(!/[^\r]\n/.test(stored), 'CRLF line ends only');
    assert.ok(!/\r(?!\n)/.test(stored), 'no stray CR');
    assert.match(
      stored,
      /\r\nSubject: bare lf\r\nX-Test: 1\r\n\r\nline one\r\nline two\r\nline three\r\n\.\r\nMAIL FROM:<evil@smuggle\.test>\r\n/,
    );
    await dizi.services.processor.idle();
    assert.ok(!(await subjects()).includes('smuggled'), 'no smuggled second message');
  });

  test('a 1 MB line inside DATA (and a 100 KB Subject) is stored whole; the subject is clipped', async () => {
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const longSubject = `long line ${'s'.repeat(100 * 1024)}`;
    const sent = Buffer.from(
      `Subject: ${longSubject}\r\nMessage-ID: <long-line@client.test>\r\n\r\n${'y'.repeat(1024 * 1024)}\r\nend\r\n`,
    );
    const r = await c.sendMail('sender@remote.test', [ALICE], sent);
    assert.equal(r.code, 250, r.raw);
    await c.quit();
    const msg = await waitUntil(
      async () =>
        (await dizi.messages(ALICE)).find((m) => m.messageId === '<long-line@client.test>'),
      'the long-line message',
    );
    assert.ok(msg.subject.startsWith('long line sss'));
    assert.ok(msg.subject.length <= 998, `subject clipped to the column (${msg.subject.length})`);
    assertStoredExactly(await dizi.services.blobs.read(msg.blobId), sent);
  });

  test('a 1 MB command line is refused and the connection closed; the server goes on', async () => {
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    c.write(`MAIL FROM:<${'x'.repeat(1024 * 1024)}@remote.test>\r\n`);
    const r = await c.reply();
    assert.ok(r.code === 421 || r.code === 500, r.raw);
    assert.match(r.text, /too long/i);
    await waitUntil(() => c.isClosed, 'the server to close the connection');
    // Without a line end at all: the server must not buffer without limit either.
    const d = await open();
    d.write('X'.repeat(1024 * 1024));
    const r2 = await d.reply();
    assert.match(r2.raw, /^(421|500) .*too long/i);
    await waitUntil(() => d.isClosed, 'the server to close the connection');
    await assertStillDelivers();
  });

  test('an oversize message gets 552 5.3.4 (declared or not), nothing is stored, the session goes on', async () => {
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const declared = await c.command(`MAIL FROM:<sender@remote.test> SIZE=${MAX_BYTES + 1}`);
    assert.equal(declared.code, 552, declared.raw);
    assert.match(declared.text, /^5\.3\.4 /);
    const line = `${'z'.repeat(998)}\r\n`;
    const big = `Subject: oversize\r\n\r\n${line.repeat(Math.ceil(MAX_BYTES / line.length) + 10)}`;
    const r = await c.sendMail('sender@remote.test', [ALICE], big);
    assert.equal(r.code, 552, r.raw);
    assert.match(r.text, /^5\.3\.4 /);
    // The session is back in step: the next transaction on it works.
    const next = await c.sendMail(
      'sender@remote.test',
      [ALICE],
      'Subject: after oversize\r\n\r\nx',
    );
    assert.equal(next.code, 250, next.raw);
    await c.quit();
    await storedRaw('after oversize');
    await assertNotStored('oversize');
  });

  test('8-bit GB2312 headers (no RFC 2047) are decoded for the summary and stored byte-exact', async () => {
    // Python's smtplib sends the bytes as they are (sendmail with a bytes message).
    const r = await python(`
import smtplib, sys
subject = '会议通知：明天下午三点'.encode('gb2312')
sender = '张三'.encode('gb2312')
msg = (b'From: ' + sender + b' <zhang@remote.test>\\r\\nTo: alice@example.com\\r\\nSubject: ' + subject +
       b'\\r\\nMessage-ID: <gb2312@remote.test>\\r\\nContent-Type: text/plain; charset=gb2312\\r\\n\\r\\n' +
       '请准时参加。'.encode('gb2312') + b'\\r\\n')
with smtplib.SMTP('127.0.0.1', ${dizi.smtpPort}) as s:
    s.sendmail('zhang@remote.test', ['alice@example.com'], msg)
sys.stdout.write(msg.hex())
`);
    assert.equal(r.code, 0, r.stderr);
    const sent = Buffer.from(r.stdout.trim(), 'hex');
    const msg = await waitUntil(
      async () => (await dizi.messages(ALICE)).find((m) => m.messageId === '<gb2312@remote.test>'),
      'the GB2312 message',
    );
    assert.equal(msg.subject, '会议通知：明天下午三点');
    assert.match(msg.fromAddr, /^张三 <zhang@remote\.test>$/);
    assertStoredExactly(await dizi.services.blobs.read(msg.blobId), sent);
  });

  test('broken MIME (unterminated multipart, bad base64) is accepted and stored byte-exact', async () => {
    const sent = Buffer.from(
      [
        'Subject: broken mime',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="never-closed"',
        '',
        '--never-closed',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        '!!!this is not base64 at all***',
        '5L2g5aW9=====garbage',
        '--never-closed',
        'Content-Type: application/octet-stream',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'bad =ZZ escape and a soft break =',
        '',
      ].join('\r\n'),
    );
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const r = await c.sendMail('sender@remote.test', [ALICE], sent);
    assert.equal(r.code, 250, r.raw);
    await c.quit();
    assertStoredExactly(await storedRaw('broken mime'), sent);
  });

  test('a client that disconnects mid-DATA: nothing stored, no temp file left, server still answers', async () => {
    const halfway = async (chunk: string | null) => {
      const c = await open();
      for (const line of [
        'EHLO client.test',
        'MAIL FROM:<sender@remote.test>',
        `RCPT TO:<${ALICE}>`,
      ])
        assert.equal((await c.command(line)).code, 250);
      assert.equal((await c.command('DATA')).code, 354);
      if (chunk !== null) {
        c.write(chunk);
        // The bytes reach the server (the message file appears) before the client vanishes.
        await waitUntil(
          () => spoolFiles().some((n) => n.endsWith('.eml')),
          'the file of the message being received',
        );
      }
      c.destroy();
    };
    // Larger than the spool's write batch (256 KB), so part of it is written to disk.
    await halfway(`Subject: half a message\r\n\r\n${'h'.repeat(400_000)}\r\nand then noth`);
    await halfway(null); // gone right after 354
    await halfway(
      `Subject: half a message\r\n\r\n${'h'.repeat(400_000)}\r\nends with a CR LF but not the dot\r\n`,
    );
    await assertNotStored('half a message');
    await assertStillDelivers();
  });

  test('a mail loop (33 Received headers) gets 554 5.4.6; 30 are accepted', async () => {
    const received = (n: number) =>
      Array.from(
        { length: n },
        (_, i) =>
          `Received: from hop${i}.test by hop${i + 1}.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n`,
      ).join('');
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const loop = await c.sendMail(
      'sender@remote.test',
      [ALICE],
      `${received(33)}Subject: looping\r\n\r\nx\r\n`,
    );
    assert.equal(loop.code, 554, loop.raw);
    assert.match(loop.text, /^5\.4\.6 /);
    const ok = await c.sendMail(
      'sender@remote.test',
      [ALICE],
      `${received(30)}Subject: thirty hops\r\n\r\nx\r\n`,
    );
    assert.equal(ok.code, 250, ok.raw);
    await c.quit();
    await storedRaw('thirty hops');
    await assertNotStored('looping');
  });

  test('random bytes from many connections (seeded): the server never falls over', async () => {
    const seed = Number(process.env.DIZI_FUZZ_SEED ?? 0x5eed2);
    const rnd = mulberry32(seed);
    const int = (n: number) => Math.floor(rnd() * n);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const verbs = [
      'EHLO',
      'HELO',
      'LHLO',
      'MAIL FROM:',
      'RCPT TO:',
      'DATA',
      'BDAT',
      'RSET',
      'NOOP',
      'VRFY',
      'EXPN',
      'HELP',
      'STARTTLS',
      'AUTH PLAIN',
      'AUTH LOGIN',
      'XCLIENT',
      '.',
      '',
    ] as const;
    const endings = ['\r\n', '\n', '\r', ''] as const;
    const arg = () =>
      pick([
        () => '',
        () => ` <${FUZZ}>`,
        () => ' <>',
        () => ` <${bytes(int(40)).toString('latin1')}>`,
        () => ` ${bytes(int(200)).toString('latin1')}`,
        () => ` <a@b.test> SIZE=${int(1e9)} BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=${int(1e6)}`,
        () => ` ${int(1e9)} LAST`,
      ])();
    const session = (): Buffer[] => {
      const chunks: Buffer[] = [];
      switch (int(3)) {
        case 0: // pure noise
          for (let i = int(4) + 1; i > 0; i--) chunks.push(bytes(int(4096) + 1));
          break;
        case 1: // command-shaped noise
          for (let i = int(30) + 1; i > 0; i--)
            chunks.push(Buffer.from(pick(verbs) + arg() + pick(endings), 'latin1'));
          break;
        default: {
          // a real envelope, then a noisy message that may or may not be ended
          chunks.push(Buffer.from(`EHLO f\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<${FUZZ}>\r\n`));
          chunks.push(Buffer.from('DATA\r\n'));
          for (let i = int(5) + 1; i > 0; i--) {
            const noise = bytes(int(8192));
            chunks.push(int(2) ? noise : Buffer.from(noise.toString('latin1').replace(/\./g, '')));
          }
          if (int(2)) chunks.push(Buffer.from('\r\n.\r\n'));
          break;
        }
      }
      return chunks;
    };

    const CONNECTIONS = 200;
    const PARALLEL = 10;
    const deadline = Date.now() + 20_000;
    let started = 0;
    let greeted = 0;
    const worker = async () => {
      while (started < CONNECTIONS && Date.now() < deadline) {
        started++;
        const chunks = session();
        const hangUp = int(2) === 0;
        const c = await open();
        if (c.banner.code === 220) greeted++;
        for (const chunk of chunks) {
          if (c.isClosed) break;
          c.write(chunk);
          await new Promise((r) => setImmediate(r));
        }
        if (hangUp) c.destroy();
        else {
          c.socket.end();
          await Promise.race([c.closed, new Promise((r) => setTimeout(r, 1000))]);
          c.destroy();
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    assert.ok(started >= 50, `only ${started} connections in the time allowed`);
    assert.equal(greeted, started, 'every connection was greeted with 220');
    await spoolDrained();
    await assertStillDelivers();
  });

  test('NUL bytes in header fields (raw, and inside an RFC 2047 word) do not stop delivery', async () => {
    const c = await open();
    assert.equal((await c.command('EHLO client.test')).code, 250);
    const raw = await c.sendMail(
      'sender@remote.test',
      [ALICE],
      'Subject: nul\u0000in subject\r\nMessage-ID: <nul-raw@client.test>\r\n\r\nx\r\n',
    );
    assert.equal(raw.code, 250, raw.raw);
    const encoded = await c.sendMail(
      'sender@remote.test',
      [ALICE],
      'Subject: =?utf-8?B?bnVsAGVuY29kZWQ=?=\r\nMessage-ID: <nul-2047@client.test>\r\n\r\nx\r\n',
    );
    assert.equal(encoded.code, 250, encoded.raw);
    await c.quit();
    // Acknowledged, so it must reach the mailbox (the 250 is a promise).
    for (const id of ['<nul-raw@client.test>', '<nul-2047@client.test>'])
      await waitUntil(
        async () => (await dizi.messages(ALICE)).some((m) => m.messageId === id),
        `${id} delivered`,
        5000,
      );
    await spoolDrained();
  });
});

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
