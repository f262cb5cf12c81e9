import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { parseMailbox, readAlertMail } from './alert-mail';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');
const b64 = (s: string, charset: string) => iconv.encode(s, charset).toString('base64');

describe('readAlertMail', () => {
  it('decodes a GB2312 base64 text body and RFC 2047 GB2312 headers', async () => {
    const raw = crlf([
      `From: =?GB2312?B?${b64('张三', 'gb2312')}?= <zhang@example.cn>`,
      'To: li@dizi.test',
      `Subject: =?GB2312?B?${b64('会议通知', 'gb2312')}?=`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=GB2312',
      'Content-Transfer-Encoding: base64',
      '',
      b64('明天下午三点在三楼会议室开会。', 'gb2312'),
      '',
    ]);
    const m = await readAlertMail(raw);
    assert.equal(m.fromName, '张三');
    assert.equal(m.fromAddress, 'zhang@example.cn');
    assert.equal(m.subject, '会议通知');
    assert.equal(m.body, '明天下午三点在三楼会议室开会。');
    assert.equal(m.priority, 'normal');
    assert.equal(m.junk, false);
  });

  it('turns an HTML-only GBK body into text', async () => {
    const html =
      '<html><body><p>您好，</p><p>合同<b>已签署</b>，请查收。</p><script>x()</script></body></html>';
    const raw = crlf([
      'From: boss@example.cn',
      'Subject: =?GBK?B?' + b64('合同', 'gbk') + '?=',
      'X-Priority: 1 (Highest)',
      'Content-Type: text/html; charset=GBK',
      'Content-Transfer-Encoding: base64',
      '',
      b64(html, 'gbk'),
    ]);
    const m = await readAlertMail(raw);
    assert.equal(m.priority, 'high');
    assert.match(m.body, /您好，\s+合同已签署，请查收。/);
    assert.doesNotMatch(m.body, /<|x\(\)/);
    assert.equal(m.fromName, 'boss@example.cn');
  });

  it('decodes BIG5 quoted-printable in a multipart/alternative, preferring the text part', async () => {
    const qp = [...iconv.encode('請於週五前回覆', 'big5')]
      .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join('');
    const raw = crlf([
      'From: "Chen, Wei" <chen@example.tw>',
      'Subject: =?UTF-8?Q?=E5=A0=B1=E5=91=8A?=',
      'Importance: high',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=big5',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp,
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>html version</p>',
      '--b1--',
    ]);
    const m = await readAlertMail(raw);
    assert.equal(m.fromName, 'Chen, Wei');
    assert.equal(m.subject, '報告');
    assert.equal(m.body, '請於週五前回覆');
    assert.equal(m.priority, 'high');
  });

  it('reads raw 8-bit GB18030 headers and drops quotes and signatures from the body', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@b.cn\r\nSubject: '),
      iconv.encode('未编码的主题', 'gb18030'),
      Buffer.from(
        '\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nreply here\r\nOn Mon, Bob wrote:\r\n> old text\r\n-- \r\nsig\r\n',
      ),
    ]);
    const m = await readAlertMail(raw);
    assert.equal(m.subject, '未编码的主题');
    assert.equal(m.body, 'reply here');
  });

  it('marks spam and infected mail as junk', async () => {
    for (const h of [
      'X-Spam-Flag: YES',
      'X-Spam-Status: Yes, score=9.1',
      'X-Virus-Status: Infected',
    ]) {
      const m = await readAlertMail(crlf(['From: x@y.cn', h, 'Subject: s', '', 'b']));
      assert.equal(m.junk, true, h);
    }
    const clean = await readAlertMail(crlf(['From: x@y.cn', 'X-Spam-Flag: NO', '', 'b']));
    assert.equal(clean.junk, false);
  });

  it('still yields subject and sender from a message with a broken MIME body', async () => {
    const raw = crlf([
      'From: x@y.cn',
      'Subject: broken',
      'Content-Type: text/plain; charset=no-such-charset',
      'Content-Transfer-Encoding: base64',
      '',
      '%%%not base64%%%',
    ]);
    const m = await readAlertMail(raw);
    assert.equal(m.subject, 'broken');
    assert.equal(m.fromAddress, 'x@y.cn');
  });
});

describe('parseMailbox', () => {
  it('reads name and address forms', () => {
    assert.deepEqual(parseMailbox('"Li Si" <LI@x.cn>'), { name: 'Li Si', address: 'li@x.cn' });
    assert.deepEqual(parseMailbox('李四 <li@x.cn>'), { name: '李四', address: 'li@x.cn' });
    assert.deepEqual(parseMailbox('li@x.cn'), { name: '', address: 'li@x.cn' });
    assert.deepEqual(parseMailbox('undisclosed'), { name: '', address: '' });
  });
});
