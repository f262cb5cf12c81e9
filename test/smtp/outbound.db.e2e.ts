import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiziHarness } from '../support/dizi-harness';
import { freePort, python, SmtpSink } from '../support/peers';

// Outbound delivery through the route table to Postfix's smtp-sink (an independent
// receiver): delivered, refused (5xx -> DSN), deferred (4xx -> retries -> DSN), down.
describe('outbound delivery and bounces', () => {
  let dizi: DiziHarness;
  let accept: SmtpSink;
  let refuse: SmtpSink;
  let defer: SmtpSink;

  const submit = (to: string, subject: string) =>
    python(`
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', ${dizi.submissionPort}) as s:
    s.starttls(context=ctx); s.login('bob@example.com', 'bobpassword1')
    s.sendmail('bob@example.com', [${JSON.stringify(to)}], 'From: bob@example.com\\r\\nTo: ${to}\\r\\nSubject: ${subject}\\r\\n\\r\\nbody\\r\\n')
`);

  const queueEmpty = async (timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while ((await dizi.services.outboundRepo.list()).length) {
      if (Date.now() > deadline) throw new Error('the outbound queue did not empty');
      await sleep(100);
    }
  };

  before(async () => {
    accept = await SmtpSink.start();
    refuse = await SmtpSink.start(['-f', 'RCPT']);
    defer = await SmtpSink.start(['-r', 'RCPT']);
    const down = await freePort(); // nothing listens there
    dizi = await DiziHarness.start({
      config: {
        delivery: {
          retryIntervalSeconds: 1,
          maxAttempts: 2,
          routes: {
            'remote.test': `127.0.0.1:${accept.port}`,
            'refuse.test': `127.0.0.1:${refuse.port}`,
            'defer.test': `127.0.0.1:${defer.port}`,
            'down.test': `127.0.0.1:${down}`,
          },
        },
      },
    });
    await dizi.addUser('bob@example.com', 'bobpassword1');
  });
  after(async () => {
    await dizi.stop();
    await Promise.all([accept.stop(), refuse.stop(), defer.stop()]);
  });

  test('AUTH submission to a remote domain reaches the receiving server', async () => {
    const r = await submit('carol@remote.test', 'outbound one');
    assert.equal(r.code, 0, r.stderr);
    await accept.waitFor(1);
    await queueEmpty();
  });

  test('a refused recipient (550) produces an RFC 3464 DSN in the sender mailbox', async () => {
    const r = await submit('nobody@refuse.test', 'will bounce');
    assert.equal(r.code, 0, r.stderr);
    const msgs = await dizi.waitForMessages('bob@example.com', 1, 15_000);
    const raw = await dizi.raw(msgs[0]);
    assert.match(raw, /Content-Type: multipart\/report;\s*report-type=delivery-status/i);
    assert.match(raw, /Final-Recipient: rfc822;\s*nobody@refuse\.test/i);
    assert.match(raw, /Action: failed/);
    assert.match(raw, /Status: 5\.\d\.\d/);
    assert.match(raw, /Subject: will bounce/, 'the original headers are returned');
    await queueEmpty();
  });

  test('a temporary refusal is retried, then bounced when the tries are used up', async () => {
    const before = (await dizi.messages('bob@example.com')).length;
    await submit('later@defer.test', 'deferred twice');
    // One try fails with 4xx; the queue shows it as deferred with its error.
    const deadline = Date.now() + 10_000;
    let seenDeferred = false;
    while (!seenDeferred && Date.now() < deadline) {
      const q = await dizi.services.outboundRepo.list();
      seenDeferred = q.some((e) =>
        e.recipients.some((r) => r.status === 'deferred' && r.attempts >= 1 && !!r.lastError),
      );
      if (!seenDeferred) await sleep(50);
    }
    assert.ok(seenDeferred, 'the recipient was deferred after the first try');
    const msgs = await dizi.waitForMessages('bob@example.com', before + 1, 15_000);
    const raw = await dizi.raw(msgs[msgs.length - 1]);
    assert.match(raw, /Final-Recipient: rfc822;\s*later@defer\.test/i);
    assert.match(raw, /gave up after 2 tries|Status: 5\./);
    await queueEmpty();
  });

  test('a queued message can be listed and removed', async () => {
    await submit('x@down.test', 'to a dead host');
    let id = '';
    const deadline = Date.now() + 10_000;
    while (!id && Date.now() < deadline) {
      const q = await dizi.services.outboundRepo.list();
      id = q.find((e) => e.recipients.some((r) => r.recipient === 'x@down.test'))?.message.id ?? '';
      if (!id) await sleep(50);
    }
    assert.ok(id, 'the message is in the queue');
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}/api/admin/queue`, {
      headers: { authorization: 'Bearer test-admin-token' },
    });
    const list = (await res.json()) as Array<{ id: string }>;
    assert.ok(list.some((e) => e.id === id));
    const del = await fetch(`http://127.0.0.1:${dizi.httpPort}/api/admin/queue/${id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer test-admin-token' },
    });
    assert.equal(del.status, 204);
    assert.equal(await dizi.services.outboundRepo.get(id), null);
  });

  test('no bounce is ever sent for a message from the null sender', async () => {
    const before = (await dizi.messages('bob@example.com')).length;
    const r = await python(`
import smtplib
with smtplib.SMTP('127.0.0.1', ${dizi.smtpPort}) as s:
    s.sendmail('', ['bob@example.com'], 'From: MAILER-DAEMON@remote.test\\r\\nSubject: a bounce\\r\\n\\r\\nbody\\r\\n')
`);
    assert.equal(r.code, 0, r.stderr);
    const msgs = await dizi.waitForMessages('bob@example.com', before + 1);
    assert.equal(msgs[msgs.length - 1].subject, 'a bounce');
  });
});
