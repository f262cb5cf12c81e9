/**
 * Outbound delivery against real SMTP peers on loopback: smtp-server receivers scripted
 * per recipient, Postfix's smtp-sink, a closed port, a server that never greets, a broken
 * STARTTLS, MX fallback through a fake DNS, a smart host with AUTH, and the route table.
 */
import assert from 'node:assert/strict';
import type { MxRecord } from 'node:dns';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeliveryConfigError,
  MessageUnreadableError,
  MxResolver,
  SmtpDeliveryClient,
  type DeliveryRequest,
  type DnsResolver,
  type RecipientResult,
} from '../../libs/smtp/src/outbound';
import {
  closedPort,
  selfSignedCertificate,
  SMTP_SINK,
  startHandwrittenSmtpServer,
  startScriptedReceiver,
  startSilentServer,
  startSmtpSink,
  type ScriptedReceiver,
  type TlsMaterial,
} from './peers';

const FAST = { connectMs: 2000, greetingMs: 1500, socketMs: 3000 };

function message(subject: string, body = 'Hello from Dizi.'): Buffer {
  return Buffer.from(
    [
      'From: Alice <alice@dizi.test>',
      'To: someone@remote.test',
      `Subject: ${subject}`,
      `Message-ID: <${subject.replace(/\W/g, '')}@dizi.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

function routedClient(domain: string, port: number): SmtpDeliveryClient {
  return new SmtpDeliveryClient(new MxResolver({ routes: { [domain]: `127.0.0.1:${port}` } }));
}

function request(overrides: Partial<DeliveryRequest>): DeliveryRequest {
  return {
    domain: 'remote.test',
    sender: 'alice@dizi.test',
    recipients: ['someone@remote.test'],
    message: message('default'),
    heloName: 'dizi.test',
    tls: 'opportunistic',
    smartHostMode: 'never',
    timeouts: FAST,
    ...overrides,
  };
}

function byRecipient(results: RecipientResult[]): Record<string, RecipientResult> {
  return Object.fromEntries(results.map((result) => [result.recipient, result]));
}

/** DNS in memory, for MX tests: the names point at loopback addresses. */
function fakeDns(mx: Record<string, MxRecord[]>, a: Record<string, string[]>): DnsResolver {
  const missing = (name: string) =>
    Promise.reject(Object.assign(new Error(`no data for ${name}`), { code: 'ENODATA' }));
  return {
    resolveMx: (name) => (mx[name] ? Promise.resolve(mx[name]) : missing(name)),
    resolve4: (name) => (a[name] ? Promise.resolve(a[name]) : missing(name)),
    resolve6: (name) => missing(name),
  };
}

describe('outbound delivery to real peers', () => {
  let tls: TlsMaterial;
  let receiver: ScriptedReceiver;

  before(async () => {
    tls = selfSignedCertificate();
    receiver = await startScriptedReceiver({ tls, size: 10_000_000 });
  });
  after(async () => {
    await receiver.close();
  });

  it('reports per recipient: delivered, failed on 5xx, deferred on 4xx, over self-signed STARTTLS', async () => {
    const raw = message('per-recipient', 'Grüße, 你好');
    const results = await routedClient('remote.test', receiver.port).deliver(
      request({
        recipients: ['ok@remote.test', 'unknown@remote.test', 'busy@remote.test'],
        message: raw,
      }),
    );
    const r = byRecipient(results);
    assert.equal(r['ok@remote.test'].status, 'delivered');
    assert.equal(r['ok@remote.test'].code, 250);
    assert.equal(r['ok@remote.test'].remoteHost, '127.0.0.1');
    assert.equal(r['ok@remote.test'].remoteAddress, `127.0.0.1:${receiver.port}`);
    assert.equal(r['unknown@remote.test'].status, 'failed');
    assert.equal(r['unknown@remote.test'].code, 550);
    assert.equal(r['unknown@remote.test'].enhancedCode, '5.1.1');
    assert.match(r['unknown@remote.test'].remoteResponse ?? '', /no such user/);
    assert.equal(r['busy@remote.test'].status, 'deferred');
    assert.equal(r['busy@remote.test'].code, 450);
    assert.equal(r['busy@remote.test'].enhancedCode, '4.2.1');

    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.deepEqual(got.to, ['ok@remote.test']);
    assert.equal(got.from, 'alice@dizi.test');
    assert.equal(got.secure, true, 'STARTTLS was used although the certificate is self-signed');
    assert.equal(got.mailParams.BODY, '8BITMIME', '8-bit content is declared');
    assert.equal(got.mailParams.SIZE, String(raw.length));
    assert.ok(got.data.equals(raw), 'the message arrives byte for byte');
  });

  it('streams a message from a file and sends the null sender as MAIL FROM:<>', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dizi-outbound-msg-'));
    const file = path.join(dir, 'message.eml');
    const raw = message('from-file', '.a line starting with a dot\r\n' + 'x'.repeat(200_000));
    writeFileSync(file, raw);
    const results = await routedClient('remote.test', receiver.port).deliver(
      request({ sender: '', recipients: ['bounce-target@remote.test'], message: file }),
    );
    assert.equal(results[0].status, 'delivered', results[0].message);
    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.deepEqual(got.to, ['bounce-target@remote.test']);
    assert.equal(got.from, '', 'null sender: MAIL FROM:<>');
    assert.equal(got.mailParams.BODY, undefined, 'ASCII content does not claim 8BITMIME');
    assert.ok(got.data.equals(raw), 'dot-stuffing is undone by the receiver: same bytes');
  });

  it('reports a missing spool file with a typed error naming the path', async () => {
    const missing = path.join(tmpdir(), 'dizi-no-such-message.eml');
    await assert.rejects(
      routedClient('remote.test', receiver.port).deliver(request({ message: missing })),
      (error: unknown) => error instanceof MessageUnreadableError && error.path === missing,
    );
  });

  it('fails a message larger than the SIZE the server advertises, without sending it', async () => {
    const small = await startScriptedReceiver({ size: 1000 });
    try {
      const results = await routedClient('remote.test', small.port).deliver(
        request({ message: message('too-big', 'y'.repeat(5000)) }),
      );
      assert.equal(results[0].status, 'failed');
      assert.equal(results[0].enhancedCode, '5.3.4');
      assert.match(results[0].message, /larger than/);
      assert.equal(small.received.length, 0);
    } finally {
      await small.close();
    }
  });

  it('applies a refusal at the end of DATA to every accepted recipient, keeping RCPT refusals', async () => {
    const refusing = await startScriptedReceiver({
      dataError: { code: 554, message: '5.6.0 content rejected' },
    });
    try {
      const r = byRecipient(
        await routedClient('remote.test', refusing.port).deliver(
          request({ recipients: ['a@remote.test', 'unknown@remote.test', 'b@remote.test'] }),
        ),
      );
      assert.equal(r['a@remote.test'].status, 'failed');
      assert.equal(r['a@remote.test'].enhancedCode, '5.6.0');
      assert.equal(r['b@remote.test'].enhancedCode, '5.6.0');
      assert.equal(r['unknown@remote.test'].enhancedCode, '5.1.1');
    } finally {
      await refusing.close();
    }
  });

  it('defers when the only host refuses the connection', async () => {
    const port = await closedPort();
    const results = await routedClient('remote.test', port).deliver(request({}));
    assert.equal(results[0].status, 'deferred');
    assert.equal(results[0].code, null);
    assert.equal(results[0].enhancedCode, '4.4.1');
    assert.match(results[0].message, /connection refused/);
  });

  it('gives up on a server that never greets after the greeting timeout, and defers', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const results = await routedClient('remote.test', silent.port).deliver(
        request({ timeouts: { ...FAST, greetingMs: 400 } }),
      );
      const elapsed = Date.now() - started;
      assert.equal(results[0].status, 'deferred');
      assert.match(results[0].message, /greeting/i);
      assert.ok(elapsed >= 350 && elapsed < 3000, `took ${elapsed} ms`);
      assert.equal(silent.connections, 1);
    } finally {
      await silent.close();
    }
  });

  it('defers when the receiver hangs after the message data (socket timeout)', async () => {
    const stalling = await startHandwrittenSmtpServer({ stallAfterData: true });
    try {
      const started = Date.now();
      const results = await routedClient('remote.test', stalling.port).deliver(
        request({
          recipients: ['a@remote.test', 'b@remote.test'],
          timeouts: { ...FAST, socketMs: 500 },
        }),
      );
      assert.ok(Date.now() - started < 3000);
      assert.equal(stalling.messages.length, 1, 'the data went out');
      for (const result of results) {
        assert.equal(result.status, 'deferred');
        assert.equal(result.enhancedCode, '4.4.2');
        assert.match(result.message, /no reply in time/);
      }
    } finally {
      await stalling.close();
    }
  });

  it('falls back to plain text after a failed STARTTLS handshake, in opportunistic mode only', async () => {
    const broken = await startHandwrittenSmtpServer({ brokenStartTls: true });
    try {
      const opportunistic = await routedClient('remote.test', broken.port).deliver(
        request({ message: message('tls-fallback') }),
      );
      assert.equal(opportunistic[0].status, 'delivered', opportunistic[0].message);
      assert.equal(broken.connections, 2, 'one TLS attempt, one plain session');
      assert.match(broken.messages[0], /Subject: tls-fallback/);

      const required = await routedClient('remote.test', broken.port).deliver(
        request({ tls: 'required', message: message('tls-required') }),
      );
      assert.equal(required[0].status, 'deferred');
      assert.match(required[0].enhancedCode, /^4\.7\./);
      assert.equal(broken.messages.length, 1, 'nothing sent in clear when TLS is required');
    } finally {
      await broken.close();
    }
  });

  it('defers in required-TLS mode when the server offers no STARTTLS', async () => {
    const plain = await startScriptedReceiver({});
    try {
      const results = await routedClient('remote.test', plain.port).deliver(
        request({ tls: 'required' }),
      );
      assert.equal(results[0].status, 'deferred');
      assert.match(results[0].enhancedCode, /^4\.7\./);
      assert.match(results[0].message, /STARTTLS/);
      assert.equal(plain.received.length, 0);
    } finally {
      await plain.close();
    }
  });

  it('tries MX hosts by preference: silent, closed and 421 hosts are skipped in order', async () => {
    const live = await startScriptedReceiver({ host: '127.0.0.1' });
    // The same port on other loopback addresses: one never greets, one says 421, one is closed.
    const silent = await startSilentServer('127.0.0.3', live.port);
    const busy = await startScriptedReceiver({
      host: '127.0.0.4',
      port: live.port,
      greetingError: { code: 421, message: '4.3.2 too busy, try another MX' },
    });
    try {
      const dns = fakeDns(
        {
          'mx-order.test': [
            { exchange: 'backup.mx-order.test', priority: 30 },
            { exchange: 'hang.mx-order.test', priority: 5 },
            { exchange: 'busy.mx-order.test', priority: 10 },
            { exchange: 'closed.mx-order.test', priority: 20 },
          ],
        },
        {
          'hang.mx-order.test': ['127.0.0.3'],
          'busy.mx-order.test': ['127.0.0.4'],
          'closed.mx-order.test': ['127.0.0.2'],
          'backup.mx-order.test': ['127.0.0.1'],
        },
      );
      const client = new SmtpDeliveryClient(new MxResolver({ resolver: dns, smtpPort: live.port }));
      const results = await client.deliver(
        request({
          domain: 'mx-order.test',
          recipients: ['user@mx-order.test'],
          timeouts: { ...FAST, greetingMs: 300 },
        }),
      );
      assert.equal(results[0].status, 'delivered', results[0].message);
      assert.equal(results[0].remoteHost, 'backup.mx-order.test');
      assert.equal(silent.connections, 1);
      assert.equal(busy.connections, 1);
      assert.equal(live.received.length, 1);
    } finally {
      await Promise.all([live.close(), silent.close(), busy.close()]);
    }
  });

  it('bounces at once for a null MX, without connecting anywhere', async () => {
    const client = new SmtpDeliveryClient(
      new MxResolver({
        resolver: fakeDns({ 'nullmx.test': [{ exchange: '', priority: 0 }] }, {}),
      }),
    );
    const results = await client.deliver(
      request({ domain: 'nullmx.test', recipients: ['a@nullmx.test', 'b@nullmx.test'] }),
    );
    assert.deepEqual(
      results.map((r) => [r.recipient, r.status, r.enhancedCode, r.remoteHost]),
      [
        ['a@nullmx.test', 'failed', '5.1.10', null],
        ['b@nullmx.test', 'failed', '5.1.10', null],
      ],
    );
  });

  describe('smart host', () => {
    let relay: ScriptedReceiver;
    const credentials = { user: 'relay-user', pass: 'relay-secret' };

    before(async () => {
      relay = await startScriptedReceiver({ tls, auth: credentials });
    });
    after(async () => {
      await relay.close();
    });

    const smartHost = () => ({
      host: '127.0.0.1',
      port: relay.port,
      secure: false,
      auth: credentials,
    });

    it('always: sends through the smart host with AUTH over STARTTLS', async () => {
      const client = new SmtpDeliveryClient(new MxResolver({ resolver: fakeDns({}, {}) }));
      const results = await client.deliver(
        request({
          domain: 'anywhere.test',
          recipients: ['x@anywhere.test'],
          message: message('smart-always'),
          smartHost: smartHost(),
          smartHostMode: 'always',
        }),
      );
      assert.equal(results[0].status, 'delivered', results[0].message);
      assert.equal(results[0].viaSmartHost, true);
      const got = relay.received.at(-1);
      assert.equal(got?.user, credentials.user);
      assert.equal(got?.secure, true);
    });

    it('on-failure: relays only what direct delivery deferred, not what it refused', async () => {
      const direct = await startScriptedReceiver({});
      const dead = await closedPort();
      try {
        const before = relay.received.length;
        const refused = await new SmtpDeliveryClient(
          new MxResolver({ routes: { 'remote.test': `127.0.0.1:${direct.port}` } }),
        ).deliver(
          request({
            recipients: ['ok@remote.test', 'unknown@remote.test', 'busy@remote.test'],
            smartHost: smartHost(),
            smartHostMode: 'on-failure',
          }),
        );
        const r = byRecipient(refused);
        assert.equal(r['ok@remote.test'].viaSmartHost, false);
        assert.equal(r['unknown@remote.test'].status, 'failed');
        assert.equal(r['unknown@remote.test'].viaSmartHost, false);
        assert.equal(r['busy@remote.test'].status, 'deferred', 'the relay also defers busy*');
        assert.equal(r['busy@remote.test'].viaSmartHost, true);
        assert.equal(relay.received.length, before, 'relay accepted nothing: busy@ deferred');

        const unreachable = await routedClient('remote.test', dead).deliver(
          request({
            recipients: ['late@remote.test'],
            message: message('smart-on-failure'),
            smartHost: smartHost(),
            smartHostMode: 'on-failure',
          }),
        );
        assert.equal(unreachable[0].status, 'delivered', unreachable[0].message);
        assert.equal(unreachable[0].viaSmartHost, true);
        assert.deepEqual(relay.received.at(-1)?.to, ['late@remote.test']);
      } finally {
        await direct.close();
      }
    });

    it('defers (never bounces) when the smart host refuses our credentials', async () => {
      const client = new SmtpDeliveryClient(new MxResolver({ resolver: fakeDns({}, {}) }));
      const before = relay.received.length;
      const results = await client.deliver(
        request({
          smartHost: { ...smartHost(), auth: { user: 'relay-user', pass: 'wrong' } },
          smartHostMode: 'always',
        }),
      );
      assert.equal(results[0].status, 'deferred');
      assert.equal(results[0].enhancedCode, '4.7.8');
      assert.match(results[0].message, /check delivery\.smartHost/);
      assert.equal(relay.received.length, before);
    });

    it('always: speaks implicit TLS to a smart host marked secure (port 465 style)', async () => {
      const implicit = await startScriptedReceiver({ tls, implicitTls: true, auth: credentials });
      try {
        const client = new SmtpDeliveryClient(new MxResolver({ resolver: fakeDns({}, {}) }));
        const results = await client.deliver(
          request({
            message: message('smart-implicit-tls'),
            smartHost: { ...smartHost(), port: implicit.port, secure: true },
            smartHostMode: 'always',
          }),
        );
        assert.equal(results[0].status, 'delivered', results[0].message);
        assert.equal(implicit.received[0]?.secure, true);
        assert.equal(implicit.received[0]?.user, credentials.user);
      } finally {
        await implicit.close();
      }
    });

    it('refuses a smart host mode without a smart host', async () => {
      await assert.rejects(
        routedClient('remote.test', relay.port).deliver(request({ smartHostMode: 'always' })),
        DeliveryConfigError,
      );
    });
  });

  describe(
    "Postfix's smtp-sink as an independent receiver",
    { skip: !existsSync(SMTP_SINK) },
    () => {
      it('delivers through the route table and smtp-sink records the transaction', async () => {
        const sink = await startSmtpSink();
        try {
          const raw = message('to-smtp-sink', 'Delivered to Postfix smtp-sink. 中文正文');
          const results = await routedClient('sink.test', sink.port).deliver(
            request({
              domain: 'sink.test',
              recipients: ['one@sink.test', 'two@sink.test'],
              message: raw,
            }),
          );
          assert.deepEqual(
            results.map((r) => [r.recipient, r.status, r.code]),
            [
              ['one@sink.test', 'delivered', 250],
              ['two@sink.test', 'delivered', 250],
            ],
          );
          const dumps = sink.dumps();
          assert.equal(dumps.length, 1);
          assert.match(dumps[0], /^X-Mail-Args: <alice@dizi\.test> BODY=8BITMIME$/m);
          assert.match(dumps[0], /^X-Rcpt-Args: <one@sink\.test>$/m);
          assert.match(dumps[0], /^X-Rcpt-Args: <two@sink\.test>$/m);
          assert.match(dumps[0], /^X-Helo-Args: dizi\.test$/m);
          assert.match(dumps[0], /Subject: to-smtp-sink/);
          assert.ok(
            Buffer.from(dumps[0], 'latin1').includes(Buffer.from('中文正文')),
            'the 8-bit body arrives intact',
          );
        } finally {
          await sink.close();
        }
      });
    },
  );
});
