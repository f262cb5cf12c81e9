/**
 * SmppLink against an SMSC nobody here wrote: Net::SMPP (Debian libnet-smpp-perl).
 * Kannel's opensmppbox is not packaged in Debian (kannel-extras holds only test tools,
 * and Kannel's bearerbox is itself an ESME), so Net::SMPP is the independent SMSC
 * that runs here; see docs/gateways.md.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { DeliveryReport, InboundMessage } from '@dizi/gateway-kit';
import { SmppLink, validateSmppLinkConfig } from '@dizi/gateways/smpp';
import { NetSmppSmsc, netSmppUnavailable } from '../peers/smpp-netsmpp-smsc';

const unavailable = netSmppUnavailable();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(overrides: Record<string, unknown> = {}) {
  const smsc = await NetSmppSmsc.start('dizi', 'pw1');
  cleanups.push(() => smsc.stop());
  const messages: InboundMessage[] = [];
  const reports: DeliveryReport[] = [];
  const link = new SmppLink(
    validateSmppLinkConfig({
      id: 'netsmpp',
      kind: 'smpp',
      host: '127.0.0.1',
      port: smsc.port,
      systemId: 'dizi',
      password: 'pw1',
      srcId: '12345',
      responseTimeoutMs: 2_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      ...overrides,
    }),
    { sink: { message: (m) => void messages.push(m), report: (r) => void reports.push(r) } },
  );
  cleanups.push(() => link.stop());
  await link.start();
  return { smsc, link, messages, reports };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(
  'SmppLink against Net::SMPP (libnet-smpp-perl) as the SMSC',
  { skip: unavailable ?? false },
  () => {
    it('binds, submits short and long (UDH) texts, gets receipts for the returned ids and an MO', async () => {
      const { smsc, link, messages, reports } = await setup();
      assert.match(await smsc.waitFor(/^BIND /), /^BIND dizi ok$/);
      assert.deepEqual(
        await link.submit({ id: 'a', to: '4915112345678', text: 'Hello Net::SMPP' }),
        ['NS0001'],
      );
      const ids = await link.submit({ id: 'b', to: '4915112345678', text: 'L'.repeat(200) });
      assert.deepEqual(ids, ['NS0002', 'NS0003']);
      // The SMSC logs each submit_sm as it answers it: the log may lag the response.
      await until(() => smsc.submits().length >= 3, 'the SMSC to log the three submits');
      const [short, part1, part2] = smsc.submits();
      assert.equal(Buffer.from(short.sm, 'hex').toString(), 'Hello Net::SMPP');
      assert.deepEqual(
        [short.dest, short.src, short.esm, short.dc, short.rd],
        ['4915112345678', '12345', '0', '0', '1'],
      );
      assert.equal(part1.esm, '64');
      assert.equal(part1.sm.slice(0, 6), '050003');
      assert.equal(part2.sm.slice(8, 12), '0202');
      assert.equal(
        Buffer.from(part1.sm.slice(12) + part2.sm.slice(12), 'hex').toString(),
        'L'.repeat(200),
      );
      await until(() => reports.length === 3 && messages.length === 1, 'receipts and MO');
      assert.deepEqual(reports.map((r) => [r.messageId, r.state]).sort(), [
        ['NS0001', 'delivered'],
        ['NS0002', 'delivered'],
        ['NS0003', 'delivered'],
      ]);
      assert.deepEqual(
        [messages[0].from, messages[0].to, messages[0].text],
        ['4915112345678', '12345', 'Reply from Net::SMPP'],
      );
      await smsc.waitFor(/^DELIVER_RESP status=0$/);
      await link.stop();
      await smsc.waitFor(/^UNBIND$/);
    });

    it('sends a long UCS-2 text as one message_payload TLV', async () => {
      const { smsc, link } = await setup({ longMessages: 'payload' });
      const text = '短信'.repeat(50);
      assert.deepEqual(await link.submit({ id: 'p', to: '8613800138000', text }), ['NS0001']);
      const [s] = smsc.submits();
      assert.equal(s.dc, '8');
      assert.equal(s.sm, '');
      assert.equal(Buffer.from(s.payload, 'hex').swap16().toString('utf16le'), text);
    });

    it('is refused with ESME_RINVPASWD on a wrong password', async () => {
      const { smsc, link } = await setup({ password: 'nope' });
      assert.match(await smsc.waitFor(/^BIND /), /refused/);
      assert.notEqual(link.health().state, 'up');
      assert.match(link.health().lastError ?? '', /ESME_RINVPASWD/);
    });
  },
);

if (unavailable) console.log(`# Net::SMPP peer skipped: ${unavailable}`);
