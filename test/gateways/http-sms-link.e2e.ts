import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import {
  InvalidPhoneNumberError,
  LinkDownError,
  SubmitRefusedError,
  type DeliveryReport,
  type InboundMessage,
  type InboundSink,
} from '@dizi/gateway-kit';
import {
  HttpSmsLink,
  HttpSmsTimeoutError,
  validateHttpSmsLinkConfig,
} from '@dizi/gateways/http-sms';

const SECRET = 'callback-secret-1';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A provider on loopback: records requests and answers with whatever `respond` says. */
class Provider {
  readonly seen: Seen[] = [];
  respond: (req: Seen, index: number) => { status: number; body: string; delayMs?: number } =
    () => ({
      status: 200,
      body: '{"data":{"messages":[{"id":"prov-1"}]}}',
    });
  concurrent = 0;
  maxConcurrent = 0;
  private constructor(readonly server: Server) {}

  static async start(): Promise<Provider> {
    let provider: Provider | null = null;
    const server = createServer((req, res) => void provider?.handle(req, res));
    provider = new Provider(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    this.seen.push(seen);
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    const answer = this.respond(seen, this.seen.length - 1);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    this.concurrent--;
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  }
}

class RecordingSink implements InboundSink {
  messages: InboundMessage[] = [];
  reports: DeliveryReport[] = [];
  fail = false;
  message(m: InboundMessage): void {
    if (this.fail) throw new Error('store down');
    this.messages.push(m);
  }
  report(r: DeliveryReport): void {
    this.reports.push(r);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(overrides: (provider: Provider) => Record<string, unknown> = () => ({})) {
  const provider = await Provider.start();
  cleanups.push(() => provider.close());
  const sink = new RecordingSink();
  const config = validateHttpSmsLinkConfig({
    id: 'http-test',
    kind: 'http-sms',
    url: `${provider.url}/v1/sms?sender={{from}}`,
    headers: { Authorization: 'Bearer token-123', 'X-Request-Id': '{{id}}' },
    body: '{"to":"{{to}}","text":"{{text}}","ref":"{{id}}"}',
    srcId: 'Dizi',
    success: { status: [200, 202], messageIdPath: 'data.messages.0.id' },
    // Generous: a loaded CI machine must not time out a provider that answers at once.
    timeoutMs: 2500,
    retries: 2,
    retryDelayMs: 20,
    tps: 10_000,
    inbound: {
      secret: SECRET,
      mo: { from: 'msisdn', to: 'shortcode', text: 'message.body' },
      report: { messageId: 'ref', status: 'state', to: 'msisdn' },
      statusMap: { D: 'delivered', F: 'undeliverable' },
      maxBodyBytes: 1024,
    },
    ...overrides(provider),
  });
  const link = new HttpSmsLink(config, { sink });
  await link.start();
  cleanups.push(() => link.stop());
  const callbacks = createServer(link.callbackHandler());
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => callbacks.close(() => resolve())));
  const callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`;
  return { provider, sink, link, callbackUrl };
}

describe('HttpSmsLink against a local HTTP provider', () => {
  it('posts a JSON body built from the template and reads the id by JSON path', async () => {
    const { provider, link } = await setup();
    const text = 'Quote " backslash \\ newline\n emoji 😀 中文';
    const ids = await link.submit({ id: 'sms-9', to: '+4915112345678', text });
    assert.deepEqual(ids, ['prov-1']);
    const [req] = provider.seen;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/sms?sender=Dizi');
    assert.equal(req.headers.authorization, 'Bearer token-123');
    assert.equal(req.headers['x-request-id'], 'sms-9');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body), { to: '+4915112345678', text, ref: 'sms-9' });
    assert.equal(link.health().state, 'up');
  });

  it('sends GET with URL-encoded placeholders and a regex for the id', async () => {
    const { provider, link } = await setup((p) => ({
      method: 'GET',
      url: `${p.url}/send?to={{to}}&text={{text}}&from={{from}}`,
      success: { status: [200, 200], bodyRegex: '^OK', messageIdRegex: 'OK id=(\\w+)' },
    }));
    provider.respond = () => ({ status: 200, body: 'OK id=abc123' });
    const ids = await link.submit({
      id: 'g',
      to: '4915112345678',
      text: 'a&b=c ü',
      sourceExtension: '7',
    });
    assert.deepEqual(ids, ['abc123']);
    const url = new URL(provider.seen[0].url, 'http://x');
    assert.equal(url.searchParams.get('text'), 'a&b=c ü');
    assert.equal(url.searchParams.get('from'), 'Dizi7');
    assert.equal(provider.seen[0].body, '');
  });

  it('form-encodes a form body', async () => {
    const { provider, link } = await setup(() => ({
      contentType: 'application/x-www-form-urlencoded',
      body: 'to={{to}}&text={{text}}',
      success: {},
    }));
    const ids = await link.submit({ id: 'f', to: '4915112345678', text: 'x=1&y=2' });
    assert.deepEqual(ids, ['f'], 'without an id matcher the SMS id is the message id');
    assert.equal(new URLSearchParams(provider.seen[0].body).get('text'), 'x=1&y=2');
  });

  it('retries 5xx and gives up after the allowed retries', async () => {
    const { provider, link } = await setup();
    provider.respond = (_r, i) =>
      i < 2
        ? { status: 503, body: 'busy' }
        : { status: 200, body: '{"data":{"messages":[{"id":"late"}]}}' };
    assert.deepEqual(await link.submit({ id: 'r', to: '4915112345678', text: 'x' }), ['late']);
    assert.equal(provider.seen.length, 3);
    provider.respond = () => ({ status: 500, body: 'down' });
    await assert.rejects(
      link.submit({ id: 'r2', to: '4915112345678', text: 'x' }),
      (e: unknown) => e instanceof SubmitRefusedError && e.carrierCode === 500 && e.retryable,
    );
    assert.equal(provider.seen.length, 6);
  });

  it('refuses 4xx and bodies that fail the matcher, without retrying', async () => {
    const { provider, link } = await setup((p) => ({
      url: `${p.url}/send`,
      success: { status: [200, 299], bodyRegex: '"ok":true', messageIdPath: 'id' },
    }));
    provider.respond = () => ({ status: 400, body: '{"error":"bad number"}' });
    await assert.rejects(
      link.submit({ id: 'a', to: '4915112345678', text: 'x' }),
      (e: unknown) =>
        e instanceof SubmitRefusedError &&
        e.carrierCode === 400 &&
        !e.retryable &&
        /bad number/.test(e.message),
    );
    provider.respond = () => ({ status: 200, body: '{"ok":false}' });
    await assert.rejects(
      link.submit({ id: 'b', to: '4915112345678', text: 'x' }),
      /does not match/,
    );
    assert.equal(provider.seen.length, 2);
    assert.ok(link.health().errors >= 2);
  });

  it('times out without resending, and says when the provider cannot be reached', async () => {
    const { provider, link } = await setup();
    provider.respond = () => ({ status: 200, body: '{}', delayMs: 5_000 });
    await assert.rejects(
      link.submit({ id: 't', to: '4915112345678', text: 'x' }),
      HttpSmsTimeoutError,
    );
    assert.equal(provider.seen.length, 1);
    const closed = await Provider.start();
    const deadUrl = closed.url;
    await closed.close();
    const dead = new HttpSmsLink(
      validateHttpSmsLinkConfig({
        id: 'dead',
        kind: 'http-sms',
        url: `${deadUrl}/x`,
        retries: 1,
        retryDelayMs: 10,
      }),
      { sink: new RecordingSink() },
    );
    await dead.start();
    await assert.rejects(
      dead.submit({ id: 'd', to: '4915112345678', text: 'x' }),
      (e: unknown) => e instanceof LinkDownError && /ECONNREFUSED/.test(e.message),
    );
    await dead.stop();
    await assert.rejects(dead.submit({ id: 'd', to: '4915112345678', text: 'x' }), LinkDownError);
  });

  it('refuses bad input and keeps the window', async () => {
    const { provider, link } = await setup(() => ({ window: 2 }));
    await assert.rejects(link.submit({ id: 'n', to: 'abc', text: 'x' }), InvalidPhoneNumberError);
    await assert.rejects(
      link.submit({ id: 'b', to: '4915112345678', data: Buffer.from([1]) }),
      /text only/,
    );
    provider.respond = () => ({
      status: 200,
      body: '{"data":{"messages":[{"id":"w"}]}}',
      delayMs: 30,
    });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        link.submit({ id: `w${i}`, to: '4915112345678', text: 'x' }),
      ),
    );
    assert.equal(provider.maxConcurrent, 2);
  });

  it('takes MO and report callbacks with the shared secret', async () => {
    const { sink, callbackUrl } = await setup();
    const mo = await fetch(`${callbackUrl}/hooks/mo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dizi-secret': SECRET },
      body: JSON.stringify({
        msisdn: '4915112345678',
        shortcode: '12345',
        message: { body: 'Hallo 😀' },
      }),
    });
    assert.equal(mo.status, 200);
    assert.deepEqual(
      sink.messages.map((m) => [m.linkId, m.from, m.to, m.text, m.complete]),
      [['http-test', '4915112345678', '12345', 'Hallo 😀', true]],
    );
    const report = await fetch(
      `${callbackUrl}/hooks/report?secret=${SECRET}&ref=prov-1&state=D&msisdn=4915112345678`,
    );
    assert.equal(report.status, 200);
    const form = await fetch(`${callbackUrl}/hooks/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-dizi-secret': SECRET },
      body: 'ref=prov-2&state=EXPIRED',
    });
    assert.equal(form.status, 200);
    assert.deepEqual(
      sink.reports.map((r) => [r.messageId, r.state, r.carrierStatus, r.to]),
      [
        ['prov-1', 'delivered', 'D', '4915112345678'],
        ['prov-2', 'expired', 'EXPIRED', ''],
      ],
    );
  });

  it('answers bad callbacks with clear statuses and keeps serving', async () => {
    const { sink, callbackUrl } = await setup();
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${callbackUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-dizi-secret': SECRET, ...headers },
        body,
      });
    assert.equal((await post('/mo', '{}', { 'x-dizi-secret': 'wrong-secret-xx' })).status, 401);
    assert.equal((await fetch(`${callbackUrl}/mo`)).status, 401);
    const missing = await post('/mo', '{"msisdn":"491"}');
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /field "shortcode" is missing/);
    assert.equal((await post('/mo', '{not json')).status, 400);
    assert.equal((await post('/elsewhere', '{}')).status, 404);
    assert.equal(
      (await fetch(`${callbackUrl}/mo?secret=${SECRET}`, { method: 'DELETE' })).status,
      405,
    );
    const big = await post('/mo', JSON.stringify({ pad: 'x'.repeat(5_000) })).catch(() => null);
    assert.ok(big === null || big.status === 413);
    sink.fail = true;
    const unavailable = await post(
      '/mo',
      JSON.stringify({ msisdn: '491', shortcode: '1', message: { body: 'x' } }),
    );
    assert.equal(unavailable.status, 503);
    sink.fail = false;
    const ok = await post(
      '/mo',
      JSON.stringify({ msisdn: '491', shortcode: '1', message: { body: 'x' } }),
    );
    assert.equal(ok.status, 200);
    assert.equal(sink.messages.length, 1);
  });
});
