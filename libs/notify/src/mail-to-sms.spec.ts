import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { LinkDownError, NoRouteError, SubmitRefusedError } from '@dizi/gateway-kit';
import {
  checkSmsRecipient,
  dsnStatus,
  isSmsAddress,
  mailSmsText,
  smsNumberOf,
} from './mail-to-sms';
import { segmentsNeeded, textCost } from './sms-length';

const DOMAIN = 'sms.mx.example.com';
const opts = { smsDomain: DOMAIN, fromMx: false };
const text = {
  template: '{from} [{subject}] {body}',
  segments: 3,
  gsmPerSegment: 160,
  timeZone: 'Asia/Shanghai',
};
const env = { sender: 'zhang@example.cn', receivedAt: Date.UTC(2024, 2, 5, 6, 22) };

describe('mail to SMS: which recipients', () => {
  test('addresses of the SMS domain, in any case, are SMS addresses; others are not', () => {
    assert.equal(isSmsAddress(`13800138000@${DOMAIN}`, DOMAIN), true);
    assert.equal(isSmsAddress('13800138000@SMS.MX.Example.COM', DOMAIN), true);
    assert.equal(isSmsAddress(`13800138000@x.${DOMAIN}`, DOMAIN), false);
    assert.equal(isSmsAddress('li@example.com', DOMAIN), false);
    assert.equal(checkSmsRecipient('li@example.com', { mode: 'mx' }, opts), null);
  });

  test('the number is the local part, canonical: +86 and dashes go', () => {
    assert.equal(smsNumberOf(`13800138000@${DOMAIN}`), '13800138000');
    assert.equal(smsNumberOf(`+8613800138000@${DOMAIN}`), '13800138000');
    assert.equal(smsNumberOf(`138-0013-8000@${DOMAIN}`), '13800138000');
    assert.equal(smsNumberOf(`+447700900123@${DOMAIN}`), '+447700900123');
  });

  test('a bad number is refused at RCPT with 550 5.1.1 and says what an SMS address is', () => {
    const r = checkSmsRecipient(
      `li.si@${DOMAIN}`,
      { authUser: 'a@x.test', mode: 'submission' },
      opts,
    );
    assert.ok(r && 'code' in r);
    assert.equal(r.code, 550);
    assert.equal(r.enhanced, '5.1.1');
    assert.match(
      r.text,
      /li\.si is not a phone number: mail for SMS goes to <digits>@sms\.mx\.example\.com/,
    );
    assert.throws(() => smsNumberOf(`12@${DOMAIN}`), /not a phone number/);
  });

  test('anonymous MX clients are refused (5.7.1) unless allowed; AUTH and internal mail pass', () => {
    const rcpt = `13800138000@${DOMAIN}`;
    const mx = checkSmsRecipient(rcpt, { mode: 'mx' }, opts);
    assert.ok(mx && 'code' in mx);
    assert.deepEqual([mx.code, mx.enhanced], [550, '5.7.1']);
    assert.match(mx.text, /only for authenticated senders; use the submission port/);
    assert.deepEqual(checkSmsRecipient(rcpt, { mode: 'mx' }, { ...opts, fromMx: true }), {
      accept: true,
    });
    assert.deepEqual(checkSmsRecipient(rcpt, { mode: 'submission', authUser: 'a@x.test' }, opts), {
      accept: true,
    });
  });
});

describe('mail to SMS: the text', () => {
  test('a GB2312 HTML mail in base64: decoded sender, subject and body as text', async () => {
    const gb = (s: string) => iconv.encode(s, 'gb2312').toString('base64');
    const raw = Buffer.from(
      [
        `From: =?GB2312?B?${gb('张三')}?= <zhang@example.cn>`,
        `Subject: =?GB2312?B?${gb('会议通知')}?=`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=GB2312',
        'Content-Transfer-Encoding: base64',
        '',
        gb('<p>明天<b>下午三点</b>开会。</p>'),
        '',
      ].join('\r\n'),
    );
    assert.equal(await mailSmsText(raw, env, text), '张三 [会议通知] 明天下午三点开会。');
  });

  test('quoted-printable UTF-8, quotes and signature left out; the address when there is no name', async () => {
    const raw = Buffer.from(
      [
        'From: li@example.com',
        'Subject: =?UTF-8?Q?Re:_=E6=99=9A=E7=82=B9?=',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '=E5=A5=BD=E7=9A=84',
        '',
        'On Mon, someone wrote:',
        '> old text',
        '-- ',
        'signature',
        '',
      ].join('\r\n'),
    );
    assert.equal(await mailSmsText(raw, env, text), 'li@example.com [Re: 晚点] 好的');
  });

  test('a long body is cut to the configured segments', async () => {
    const raw = Buffer.from(
      `From: a@x.test\r\nSubject: report\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${'销售报告已经完成，请查收。'.repeat(40)}\r\n`,
    );
    const t = await mailSmsText(raw, env, { ...text, segments: 2 });
    assert.equal(segmentsNeeded(t), 2);
    assert.equal(textCost(t, 'ucs2'), 134);
    assert.ok(t.endsWith('…'));
    const one = await mailSmsText(raw, env, { ...text, segments: 1 });
    assert.equal(textCost(one, 'ucs2'), 70);
  });

  test('a message that is no MIME at all still gives a text', async () => {
    const t = await mailSmsText(Buffer.from('garbage without headers'), env, text);
    assert.ok(t.length > 0);
    assert.ok(t.startsWith('zhang@example.cn'), t);
  });
});

describe('mail to SMS: the DSN status of a failed SMS', () => {
  test('a refusal is permanent; no link after all tries is a routing failure', () => {
    const refused = new SubmitRefusedError('cm-1', 13, 'Dest_terminal_Id error', false);
    assert.equal(dsnStatus(refused), '5.0.0');
    assert.equal(
      dsnStatus(new NoRouteError('13800138000', [{ linkId: 'cm-1', error: refused }])),
      '5.0.0',
    );
    assert.equal(
      dsnStatus(
        new NoRouteError('13800138000', [{ linkId: 'cm-1', error: new LinkDownError('cm-1') }]),
      ),
      '5.4.4',
    );
    assert.equal(dsnStatus(new Error('time-out')), '5.4.0');
  });
});
