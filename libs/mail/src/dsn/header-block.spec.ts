import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { extractHeaderBlock, headerValue, readHeaderBlock } from './header-block';

describe('header block', () => {
  it('cuts at the first empty line, with CRLF or bare LF line ends', () => {
    const crlf = Buffer.from('A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore');
    assert.equal(extractHeaderBlock(crlf).toString(), 'A: 1\r\nB: 2\r\n');
    const lf = Buffer.from('A: 1\nB: 2\n\nbody');
    assert.equal(extractHeaderBlock(lf).toString(), 'A: 1\nB: 2\n');
    const headersOnly = Buffer.from('A: 1\r\n');
    assert.equal(extractHeaderBlock(headersOnly).toString(), 'A: 1\r\n');
  });

  it('reads only the headers of a large spool file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dizi-headers-')), 'big.eml');
    const headers = Array.from({ length: 2000 }, (_, i) => `X-Trace-${i}: ${'t'.repeat(20)}`);
    writeFileSync(file, `${headers.join('\r\n')}\r\n\r\n${'body '.repeat(400_000)}`);
    const block = await readHeaderBlock(file);
    assert.equal(block.toString(), `${headers.join('\r\n')}\r\n`);
    const capped = await readHeaderBlock(file, 1000);
    assert.equal(capped.length, 1000);
  });

  it('decodes encoded words, folded lines and raw GB2312 bytes in a header value', () => {
    const headers = Buffer.concat([
      Buffer.from('From: a@b\r\nSubject: =?UTF-8?B?5Lya6K6u?=\r\n =?GB2312?B?vM3Uqg==?= end\r\n'),
      Buffer.from('X-Raw: '),
      iconv.encode('季度报告', 'gb2312'),
      Buffer.from('\r\nX-Utf8: 中文\r\n'),
    ]);
    assert.equal(headerValue(headers, 'subject'), '会议纪元 end');
    assert.equal(headerValue(headers, 'X-Raw'), '季度报告');
    assert.equal(headerValue(headers, 'X-Utf8'), '中文');
    assert.equal(headerValue(headers, 'Missing'), null);
  });
});
