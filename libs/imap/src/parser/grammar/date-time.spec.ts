import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapSyntaxError } from '../syntax-error';
import { formatDateTime, parseDateTime } from './date-time';

describe('IMAP date-time', () => {
  it('parses the RFC 3501 form with zones and a space-padded day', () => {
    assert.equal(
      parseDateTime('17-Jul-1996 02:44:25 -0700').toISOString(),
      '1996-07-17T09:44:25.000Z',
    );
    assert.equal(
      parseDateTime(' 7-Feb-1994 21:52:25 +0800').toISOString(),
      '1994-02-07T13:52:25.000Z',
    );
    for (const bad of [
      '17-Jux-1996 02:44:25 -0700',
      '17-Jul-1996 02:44 -0700',
      '17-Jul-1996 02:44:25',
      'yesterday',
      '32-Jul-1996 02:44:25 +0000',
      '17-Jul-1996 25:00:00 +0000',
    ]) {
      assert.throws(() => parseDateTime(bad), ImapSyntaxError, bad);
    }
  });

  it('formats INTERNALDATE in UTC with a space-padded day', () => {
    assert.equal(formatDateTime(new Date('2026-11-03T04:05:06Z')), ' 3-Nov-2026 04:05:06 +0000');
    assert.equal(formatDateTime(new Date('2026-12-25T23:59:59Z')), '25-Dec-2026 23:59:59 +0000');
  });
});
