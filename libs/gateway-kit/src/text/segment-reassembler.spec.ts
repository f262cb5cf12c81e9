import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../flow/clock';
import { SegmentReassembler, type ReassembledMessage } from './segment-reassembler';
import { encodeUcs2 } from './ucs2-codec';

function setup() {
  const clock = new ManualClock(1_000);
  const expired: ReassembledMessage<string>[] = [];
  const r = new SegmentReassembler<string>({
    timeoutMs: 60_000,
    clock,
    onExpired: (m) => expired.push(m),
  });
  return { clock, expired, r };
}

const concat = (seq: number, total = 3, reference = 7) => ({
  reference,
  referenceBits: 8 as const,
  total,
  seq,
});
const ascii = (s: string) => ({ encoding: 'ascii' as const, bytes: Buffer.from(s) });

describe('SegmentReassembler', () => {
  it('joins segments arriving out of order', () => {
    const { r } = setup();
    assert.deepEqual(r.add('a|b', concat(3), ascii('!'), 'meta'), {
      status: 'waiting',
      received: 1,
      total: 3,
    });
    assert.equal(r.add('a|b', concat(1), ascii('Hello, '), 'meta').status, 'waiting');
    const done = r.add('a|b', concat(2), ascii('world'), 'meta');
    assert.equal(done.status, 'complete');
    assert.equal(done.status === 'complete' && done.message.text, 'Hello, world!');
    if (done.status === 'complete') r.release(done.groupId);
    assert.equal(r.pendingCount, 0);
  });

  it('ignores a repeated segment number', () => {
    const { r } = setup();
    r.add('k', concat(1, 2), ascii('one '), 'm');
    assert.deepEqual(r.add('k', concat(1, 2), ascii('ONE '), 'm'), { status: 'duplicate' });
    const done = r.add('k', concat(2, 2), ascii('two'), 'm');
    assert.equal(done.status === 'complete' && done.message.text, 'one two');
  });

  it('completes an unreleased message again when its last segment is resent', () => {
    const { clock, expired, r } = setup();
    r.add('k', concat(1, 2), ascii('one '), 'm');
    const first = r.add('k', concat(2, 2), ascii('two'), 'm');
    assert.equal(first.status, 'complete');
    const again = r.add('k', concat(2, 2), ascii('two'), 'm');
    assert.equal(again.status === 'complete' && again.message.text, 'one two');
    // Never released: handed over, complete, when the time-out passes.
    clock.advance(60_000);
    assert.deepEqual(
      expired.map((m) => [m.text, m.complete]),
      [['one two', true]],
    );
  });

  it('keeps senders apart even with the same reference', () => {
    const { r } = setup();
    r.add('alice', concat(1, 2), ascii('A1'), 'alice');
    r.add('bob', concat(1, 2), ascii('B1'), 'bob');
    const a = r.add('alice', concat(2, 2), ascii('A2'), 'alice');
    assert.equal(a.status === 'complete' && a.message.text, 'A1A2');
    if (a.status === 'complete') r.release(a.groupId);
    assert.equal(r.pendingCount, 1);
  });

  it('hands over what arrived when the time-out passes', () => {
    const { clock, expired, r } = setup();
    r.add('k', concat(1), ascii('first '), 'm');
    r.add('k', concat(3), ascii('third'), 'm');
    clock.advance(59_999);
    assert.equal(expired.length, 0);
    clock.advance(1);
    assert.equal(expired.length, 1);
    assert.deepEqual(
      { text: expired[0].text, received: expired[0].received, complete: expired[0].complete },
      { text: 'first third', received: 2, complete: false },
    );
    assert.equal(r.pendingCount, 0);
  });

  it('heals a surrogate pair a sender split across two UCS-2 parts', () => {
    const { r } = setup();
    const bytes = encodeUcs2('a😀b');
    r.add('k', concat(1, 2), { encoding: 'ucs2', bytes: bytes.subarray(0, 4) }, 'm');
    const done = r.add('k', concat(2, 2), { encoding: 'ucs2', bytes: bytes.subarray(4) }, 'm');
    assert.equal(done.status === 'complete' && done.message.text, 'a😀b');
  });

  it('decodes parts of different encodings one by one', () => {
    const { r } = setup();
    r.add('k', concat(1, 2), { encoding: 'ucs2', bytes: encodeUcs2('中文') }, 'm');
    const done = r.add('k', concat(2, 2), ascii(' ok'), 'm');
    assert.equal(done.status === 'complete' && done.message.text, '中文 ok');
  });
});
