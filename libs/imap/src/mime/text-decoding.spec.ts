import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as iconv from 'iconv-lite';
import {
  decodeCharset,
  decodeHeaderText,
  decodeQuotedPrintable,
  decodeTransferEncoding,
} from './text-decoding';

describe('transfer encodings and charsets', () => {
  it('decodes quoted-printable with soft breaks and keeps malformed escapes', () => {
    assert.equal(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc= \r\nd=\ne')).toString(), 'a=bcde');
    assert.equal(decodeQuotedPrintable(Buffer.from('100% =ZZ =4')).toString(), '100% =ZZ =4');
    assert.equal(decodeQuotedPrintable(Buffer.from('=e4=bd=a0')).toString(), '你');
  });

  it('decodes base64 across line breaks and ignores junk', () => {
    assert.equal(
      decodeTransferEncoding(Buffer.from('5L2g\r\n5aW9\r\n'), 'BASE64').toString(),
      '你好',
    );
    assert.equal(decodeTransferEncoding(Buffer.from('5L2g*5aW9'), 'base64').toString(), '你好');
    assert.equal(decodeTransferEncoding(Buffer.from('as is'), 'x-unknown').toString(), 'as is');
  });

  it('reads GB2312-labelled GBK text, BIG5, and unknown charsets as UTF-8', () => {
    // 镕 is in GBK but not in GB2312: Outlook still labels such mail gb2312.
    assert.equal(decodeCharset(iconv.encode('朱镕基', 'gbk'), 'gb2312'), '朱镕基');
    assert.equal(decodeCharset(iconv.encode('臺灣', 'big5'), 'Big5'), '臺灣');
    assert.equal(decodeCharset(Buffer.from('ok ✓'), 'x-made-up'), 'ok ✓');
    assert.equal(decodeCharset(Buffer.from('plain'), undefined), 'plain');
  });

  it('decodes headers: encoded-words, raw UTF-8, raw GBK', () => {
    assert.equal(decodeHeaderText(Buffer.from('=?GB2312?B?u+HS6c2o1qo=?= now')), '会议通知 now');
    assert.equal(decodeHeaderText(Buffer.from('=?utf-8?q?=E5=91=A8=E6=8A=A5?=')), '周报');
    assert.equal(decodeHeaderText(Buffer.from('直接 UTF-8')), '直接 UTF-8');
    assert.equal(decodeHeaderText(iconv.encode('裸 GBK 主题', 'gbk')), '裸 GBK 主题');
  });
});
