import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@dizi/gateway-kit';
import { AtChannel, type Urc } from './at-channel';
import { AtTimeoutError, CmeError, CmsError, ModemClosedError } from './at-errors';
import type { AtTransport } from './at-transport';

/** An in-memory modem end: records writes, lets the test feed bytes. */
function fake() {
  const written: string[] = [];
  let handlers!: Parameters<AtTransport['attach']>[0];
  const transport: AtTransport = {
    write: (d) => void written.push(d.toString()),
    attach: (h) => (handlers = h),
    close: async () => handlers.closed(),
  };
  const urcs: Urc[] = [];
  const clock = new ManualClock();
  const channel = new AtChannel(
    transport,
    { urc: (u) => urcs.push(u), closed: () => undefined },
    { clock, defaultTimeoutMs: 1000 },
  );
  const feed = (s: string) => handlers.data(Buffer.from(s, 'latin1'));
  return { channel, written, urcs, feed, clock, close: () => handlers.closed(new Error('gone')) };
}

describe('AtChannel', () => {
  it('answers the PDU prompt, ignores echo, and keeps URCs out of the response', async () => {
    const { channel, written, urcs, feed } = fake();
    const result = channel.send('AT+CMGS=17', { pdu: '0011AA' });
    assert.deepEqual(written, ['AT+CMGS=17\r']);
    feed('AT+CMGS=17\r\r\n+CMTI: "SM",3\r\n\r\n> ');
    assert.deepEqual(written.at(-1), '0011AA\x1a');
    feed('\r\n+CDS: 25\r\n07911326040000F0\r\n+CMGS: 7\r\n\r\n^RSSI:12\r\nOK\r\n');
    assert.deepEqual(await result, ['+CMGS: 7']);
    assert.deepEqual(urcs, [
      { kind: 'cmti', storage: 'SM', index: 3 },
      { kind: 'cds', length: 25, pdu: '07911326040000F0' },
      { kind: 'other', line: '^RSSI:12' },
    ]);
  });

  it('splits data arriving byte by byte and runs commands one at a time', async () => {
    const { channel, written, feed } = fake();
    const a = channel.send('AT+CMGR=1');
    const b = channel.send('AT+CMGD=1');
    assert.deepEqual(written, ['AT+CMGR=1\r']);
    for (const ch of '\r\n+CMGR: 0,,5\r\n0000\r\nOK\r\n') feed(ch);
    assert.deepEqual(await a, ['+CMGR: 0,,5', '0000']);
    assert.deepEqual(written, ['AT+CMGR=1\r', 'AT+CMGD=1\r']);
    feed('\r\nOK\r\n');
    assert.deepEqual(await b, []);
  });

  it('maps +CMS ERROR, +CME ERROR and ERROR to typed errors', async () => {
    const { channel, feed } = fake();
    const cms = channel.send('AT+CMGS=10', { pdu: '00' });
    feed('\r\n+CMS ERROR: 304\r\n');
    await assert.rejects(
      cms,
      (e: unknown) => e instanceof CmsError && e.cms === 304 && /invalid PDU mode/.test(e.message),
    );
    const cme = channel.send('AT+CPIN?');
    feed('\r\n+CME ERROR: SIM not inserted\r\n');
    await assert.rejects(
      cme,
      (e: unknown) => e instanceof CmeError && e.cme === 'SIM not inserted',
    );
    const plain = channel.send('AT+FOO');
    feed('\r\nERROR\r\n');
    await assert.rejects(plain, /AT\+FOO: ERROR/);
  });

  it('times out a silent modem (ESC after an unanswered PDU) and fails all on close', async () => {
    const { channel, written, clock, close, feed } = fake();
    const sending = channel.send('AT+CMGS=10', { pdu: 'AB', timeoutMs: 500 });
    const queued = channel.send('AT');
    feed('> ');
    clock.advance(500);
    await assert.rejects(sending, AtTimeoutError);
    assert.ok(written.includes('\x1b'));
    close();
    await assert.rejects(queued, ModemClosedError);
    await assert.rejects(channel.send('AT'), ModemClosedError);
  });

  it('reports malformed +CMT and endless lines without throwing', () => {
    const { urcs, feed } = fake();
    feed('+CMT: ,xx\r\n+CMT: ,20\r\nNOT HEX\r\n');
    feed('x'.repeat(5000));
    assert.deepEqual(
      urcs.map((u) => u.kind),
      ['bad', 'bad', 'other', 'bad'],
    );
  });
});
