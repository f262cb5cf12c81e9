import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DiziHarness } from '../support/dizi-harness';
import { python, swaks } from '../support/peers';

// Inbound SMTP with independent clients: swaks and Python's smtplib.
describe('inbound SMTP (MX and submission)', () => {
  let dizi: DiziHarness;

  before(async () => {
    dizi = await DiziHarness.start();
    await dizi.addUser('alice@example.com');
    await dizi.addUser('bob@example.com', 'bobpassword1');
    await dizi.addUser('tiny@example.com', 'password123', 1);
  });
  after(() => dizi.stop());

  test('swaks delivers to a local user over the MX port', async () => {
    const r = await swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      'someone@remote.test',
      '--to',
      'alice@example.com',
      '--header',
      'Subject: swaks e2e',
      '--body',
      'hello from swaks',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /250 2\.6\.0 Ok: queued as \w+/);
    const msgs = await dizi.waitForMessages('alice@example.com', 1);
    const raw = await dizi.raw(msgs[0]);
    assert.equal(msgs[0].subject, 'swaks e2e');
    assert.match(raw, /^Received: from .*\s+by mx\.dizi\.test \(Dizi\) with ESMTP id/s);
    assert.match(raw, /hello from swaks/);
    assert.ok(!/[^\r]\n/.test(raw), 'stored with CRLF line ends only');
  });

  test('Python smtplib delivers a Chinese message; the summary is decoded', async () => {
    const r = await python(`
import smtplib
from email.message import EmailMessage
m = EmailMessage()
m['From'] = '张三 <zhang@remote.test>'
m['To'] = 'bob@example.com'
m['Subject'] = '会议通知：明天下午三点'
m.set_content('请准时参加。')
with smtplib.SMTP('127.0.0.1', ${dizi.smtpPort}) as s:
    print(s.send_message(m))
`);
    assert.equal(r.code, 0, r.stderr);
    const msgs = await dizi.waitForMessages('bob@example.com', 1);
    assert.equal(msgs[0].subject, '会议通知：明天下午三点');
    assert.match(msgs[0].fromAddr, /张三/);
  });

  test('the MX refuses relaying and unknown users with 550 and the right enhanced codes', async () => {
    const relay = await swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      'a@remote.test',
      '--to',
      'x@elsewhere.test',
    ]);
    assert.notEqual(relay.code, 0);
    assert.match(relay.stdout, /550 5\.7\.1 <x@elsewhere\.test>: relay access denied/);
    const unknown = await swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      'a@remote.test',
      '--to',
      'nobody@example.com',
    ]);
    assert.match(unknown.stdout, /550 5\.1\.1 <nobody@example\.com>: no such mailbox here/);
  });

  test('the MX does not offer AUTH; submission needs STARTTLS before AUTH', async () => {
    const mx = await swaks(['--server', `127.0.0.1:${dizi.smtpPort}`, '--quit-after', 'EHLO']);
    assert.doesNotMatch(mx.stdout, /250-AUTH/);
    // smtp-server advertises AUTH before TLS but refuses to use it (RFC 4954 4: 538).
    const sub = await swaks([
      '--server',
      `127.0.0.1:${dizi.submissionPort}`,
      '--auth',
      'PLAIN',
      '--auth-user',
      'bob@example.com',
      '--auth-password',
      'bobpassword1',
      '--quit-after',
      'AUTH',
    ]);
    assert.match(sub.stdout, /538 5\.7\.0 .*STARTTLS/i, 'no AUTH before TLS');
    const tls = await swaks([
      '--server',
      `127.0.0.1:${dizi.submissionPort}`,
      '--tls',
      '--quit-after',
      'EHLO',
    ]);
    assert.match(tls.stdout, /AUTH PLAIN LOGIN/);
  });

  test('submission with AUTH PLAIN and LOGIN over STARTTLS and implicit TLS delivers locally', async () => {
    for (const [args, method] of [
      [['--server', `127.0.0.1:${dizi.submissionPort}`, '--tls'], 'PLAIN'],
      [['--server', `127.0.0.1:${dizi.submissionPort}`, '--tls'], 'LOGIN'],
      [['--server', `127.0.0.1:${dizi.smtpsPort}`, '--tls-on-connect'], 'PLAIN'],
    ] as const) {
      const r = await swaks([
        ...args,
        '--auth',
        method,
        '--auth-user',
        'bob@example.com',
        '--auth-password',
        'bobpassword1',
        '--from',
        'bob@example.com',
        '--to',
        'alice@example.com',
        '--header',
        `Subject: via ${method}`,
      ]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /235 2\.7\.0/);
    }
    const msgs = await dizi.waitForMessages('alice@example.com', 4);
    assert.ok(msgs.some((m) => m.subject === 'via LOGIN'));
  });

  test('a wrong password is refused with 535, and repeated failures lock the login out', async () => {
    const bad = () =>
      swaks([
        '--server',
        `127.0.0.1:${dizi.submissionPort}`,
        '--tls',
        '--auth',
        'PLAIN',
        '--auth-user',
        'alice@example.com',
        '--auth-password',
        'wrong-password',
        '--to',
        'bob@example.com',
        '--quit-after',
        'AUTH',
      ]);
    const first = await bad();
    assert.match(first.stdout, /535 5\.7\.8 authentication failed/);
    for (let i = 0; i < 5; i++) await bad();
    const locked = await swaks([
      '--server',
      `127.0.0.1:${dizi.submissionPort}`,
      '--tls',
      '--auth',
      'PLAIN',
      '--auth-user',
      'alice@example.com',
      '--auth-password',
      'password123',
      '--to',
      'bob@example.com',
      '--quit-after',
      'AUTH',
    ]);
    assert.match(
      locked.stdout,
      /454 4\.7\.0 too many failed logins/,
      'the right password is refused while locked',
    );
  });

  test('an authenticated user cannot send as somebody else', async () => {
    const r = await swaks([
      '--server',
      `127.0.0.1:${dizi.submissionPort}`,
      '--tls',
      '--auth',
      'PLAIN',
      '--auth-user',
      'bob@example.com',
      '--auth-password',
      'bobpassword1',
      '--from',
      'ceo@example.com',
      '--to',
      'alice@example.com',
    ]);
    assert.match(
      r.stdout,
      /553 5\.7\.1 bob@example\.com is not allowed to send as <ceo@example\.com>/,
    );
  });

  test('over-quota: 552 when the declared size can never fit, 452 when the box is full', async () => {
    const big = await python(`
import smtplib
s = smtplib.SMTP('127.0.0.1', ${dizi.smtpPort})
s.ehlo()
code, msg = s.mail('a@remote.test', ['SIZE=2000000'])
print(code)
print(s.rcpt('tiny@example.com'))
`);
    assert.match(
      big.stdout,
      /\(552, b'5\.2\.2 <tiny@example\.com>: the message is larger than the mailbox quota'\)/,
    );
    // Fill the 1 MB box with a 900 KB message, then the next message finds it full.
    const body = 'x'.repeat(76) + '\r\n';
    const r = await python(`
import smtplib
s = smtplib.SMTP('127.0.0.1', ${dizi.smtpPort})
s.sendmail('a@remote.test', ['tiny@example.com'], 'Subject: fill\\r\\n\\r\\n' + ${JSON.stringify(body)} * 11800)
`);
    assert.equal(r.code, 0, r.stderr);
    await dizi.waitForMessages('tiny@example.com', 2); // the fill message and the quota warning
    const full = await python(`
import smtplib
s = smtplib.SMTP('127.0.0.1', ${dizi.smtpPort})
s.ehlo(); s.mail('a@remote.test', ['SIZE=200000'])
print(s.rcpt('tiny@example.com'))
`);
    assert.match(
      full.stdout,
      /\(452, b'4\.2\.2 <tiny@example\.com>: mailbox full; try again later'\)/,
    );
  });

  test('a quota warning mail arrives when free space falls under the threshold', async () => {
    const msgs = await dizi.waitForMessages('tiny@example.com', 2);
    const warning = msgs.find((m) => /almost full|即将|已满|空间/.test(m.subject));
    assert.ok(warning, `quota warning among: ${msgs.map((m) => m.subject).join(' | ')}`);
    const user = await dizi.services.directoryRepo.findUser('tiny@example.com');
    assert.equal(user?.quotaWarned, true);
  });

  test('more than the maximum of recipients get 452 4.5.3', async () => {
    // Relay for an authenticated user lets 17 distinct recipients be named.
    const r = await python(`
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', ${dizi.submissionPort})
s.starttls(context=ctx); s.login('bob@example.com', 'bobpassword1')
s.mail('bob@example.com')
codes = [s.rcpt('r%d@remote.test' % i)[0] for i in range(17)]
print(codes)
print(s.rcpt('r99@remote.test'))
`);
    assert.match(r.stdout, /\[250(, 250){15}, 452\]/);
    assert.match(r.stdout, /4\.5\.3 too many recipients/);
  });
});
