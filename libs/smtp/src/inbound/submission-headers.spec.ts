import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  NOTIFY_HEADER,
  parseNotifyRequest,
  TakenHeaders,
  withoutHeaders,
} from './submission-headers';

/** Runs a message through the filter in the given chunks; returns what came out and what went. */
async function filter(
  chunks: Array<string | Buffer>,
): Promise<{ out: string; taken: TakenHeaders }> {
  const taken: TakenHeaders = new Map();
  async function* input() {
    for (const c of chunks) yield Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1');
  }
  const parts: Buffer[] = [];
  for await (const b of withoutHeaders(input(), [NOTIFY_HEADER], taken)) parts.push(b);
  return { out: Buffer.concat(parts).toString('latin1'), taken };
}

/** Every split of a message into single bytes: a TCP read may end anywhere. */
const bytes = (s: string) => Array.from(Buffer.from(s, 'latin1'), (b) => Buffer.from([b]));

describe('X-Dizi-Notify: taken out of a submission', () => {
  const mail =
    'From: a@x.test\r\nX-Dizi-Notify: sms\r\nSubject: hi\r\n\r\nX-Dizi-Notify: sms stays in the body\r\n';
  const expected = 'From: a@x.test\r\nSubject: hi\r\n\r\nX-Dizi-Notify: sms stays in the body\r\n';

  test('the field goes, everything else stays byte for byte (also the body line)', async () => {
    const r = await filter([mail]);
    assert.equal(r.out, expected);
    assert.deepEqual(r.taken.get(NOTIFY_HEADER), ['sms']);
  });

  test('the same when the message arrives one byte at a time', async () => {
    const r = await filter(bytes(mail));
    assert.equal(r.out, expected);
    assert.deepEqual(r.taken.get(NOTIFY_HEADER), ['sms']);
  });

  test('folded, upper-cased, repeated and LF-only fields are all taken', async () => {
    const r = await filter([
      'x-dizi-notify: im,\n\tSMS\nFrom: a@x.test\nX-DIZI-NOTIFY:sms\nSubject: folded\n continued\n\nbody\n',
    ]);
    assert.equal(r.out, 'From: a@x.test\nSubject: folded\n continued\n\nbody\n');
    assert.deepEqual(r.taken.get(NOTIFY_HEADER), ['im, SMS', 'sms']);
  });

  test('a message without the field is untouched; one without a body too', async () => {
    const plain = 'From: a@x.test\r\nSubject: hi\r\n\r\nbody\r\n';
    assert.equal((await filter([plain])).out, plain);
    const r = await filter(['Subject: x\r\nX-Dizi-Notify: sms']);
    assert.equal(r.out, 'Subject: x\r\n');
    assert.deepEqual(r.taken.get(NOTIFY_HEADER), ['sms']);
  });

  test('8-bit header bytes (raw GB2312) pass unchanged', async () => {
    const subject = Buffer.from([0xbb, 0xe1, 0xd2, 0xe9]); // 会议 in GB2312
    const raw = Buffer.concat([
      Buffer.from('Subject: '),
      subject,
      Buffer.from('\r\nX-Dizi-Notify: sms\r\n\r\n'),
      subject,
    ]);
    const r = await filter([raw]);
    assert.deepEqual(
      Buffer.from(r.out, 'latin1'),
      Buffer.concat([Buffer.from('Subject: '), subject, Buffer.from('\r\n\r\n'), subject]),
    );
  });

  test('a header line too long to be one stops the filtering without losing bytes', async () => {
    const long = `Subject: ${'x'.repeat(70 * 1024)}`;
    const r = await filter([long, '\r\nX-Dizi-Notify: sms\r\n\r\nbody']);
    assert.equal(r.out, `${long}\r\nX-Dizi-Notify: sms\r\n\r\nbody`);
    assert.equal(r.taken.get(NOTIFY_HEADER), undefined);
  });

  test('an input error reaches the reader (a client gone mid-DATA)', async () => {
    async function* broken() {
      yield Buffer.from('From: a@x.test\r\n');
      throw new Error('connection reset');
    }
    await assert.rejects(async () => {
      for await (const chunk of withoutHeaders(broken(), [NOTIFY_HEADER], new Map())) void chunk;
    }, /connection reset/);
  });
});

describe('parseNotifyRequest', () => {
  test('sms among other words, any case, commas or spaces', () => {
    assert.deepEqual(parseNotifyRequest(['sms']), { sms: true });
    assert.deepEqual(parseNotifyRequest(['IM, SMS']), { sms: true });
    assert.deepEqual(parseNotifyRequest(['im;push', 'Sms']), { sms: true });
  });
  test('no field, an empty one or only unknown words: nothing asked', () => {
    assert.deepEqual(parseNotifyRequest([]), { sms: false });
    assert.deepEqual(parseNotifyRequest(['']), { sms: false });
    assert.deepEqual(parseNotifyRequest(['smsx, mms']), { sms: false });
  });
});
