import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddressList } from './address-list';
import { parseParameterizedValue } from './content-fields';

describe('Content-Type parameters', () => {
  it('reads quoted values, comments and case', () => {
    assert.deepEqual(
      parseParameterizedValue('Text/HTML; Charset="UTF-8" (comment); format=flowed'),
      {
        value: 'text/html',
        parameters: [
          ['charset', 'UTF-8'],
          ['format', 'flowed'],
        ],
      },
    );
    assert.deepEqual(parseParameterizedValue('multipart/mixed; boundary="a;b=\\"c\\""'), {
      value: 'multipart/mixed',
      parameters: [['boundary', 'a;b="c"']],
    });
  });

  it('joins RFC 2231 continuations (RFC 2231 examples)', () => {
    assert.deepEqual(
      parseParameterizedValue(
        'message/external-body; access-type=URL; URL*0="ftp://"; URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"',
      ).parameters,
      [
        ['access-type', 'URL'],
        ['url', 'ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar'],
      ],
    );
    assert.deepEqual(
      parseParameterizedValue(
        "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
      ).parameters,
      [['title*', "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"]],
    );
    assert.deepEqual(
      parseParameterizedValue(
        "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
      ).parameters,
      [['title*', "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!"]],
    );
  });

  it('puts continuations back in order', () => {
    assert.deepEqual(parseParameterizedValue('a/b; n*1="cd"; n*0="ab"').parameters, [
      ['n', 'abcd'],
    ]);
  });
});

describe('address lists', () => {
  it('reads display names, routes, groups and bare addresses', () => {
    assert.deepEqual(
      parseAddressList(
        '"Doe, John" <john@x.cn>, jane@y.cn (Jane), Team: a@b.c;, =?UTF-8?B?5byg?= <z@z.cn>',
      ),
      [
        { name: 'Doe, John', adl: null, mailbox: 'john', host: 'x.cn' },
        { name: null, adl: null, mailbox: 'jane', host: 'y.cn' },
        { name: null, adl: null, mailbox: 'Team', host: null },
        { name: null, adl: null, mailbox: 'a', host: 'b.c' },
        { name: null, adl: null, mailbox: null, host: null },
        { name: '=?UTF-8?B?5byg?=', adl: null, mailbox: 'z', host: 'z.cn' },
      ],
    );
  });

  it('keeps going through broken input', () => {
    assert.deepEqual(parseAddressList('<<>>, @, ;;, "unterminated'), [
      { name: null, adl: null, mailbox: 'unterminated', host: 'MISSING_DOMAIN' },
    ]);
    assert.equal(parseAddressList('a@b, '.repeat(5000)).length, 1000);
    assert.deepEqual(parseAddressList(') x@y )'), [
      { name: null, adl: null, mailbox: 'x', host: 'y' },
    ]);
  });
});
