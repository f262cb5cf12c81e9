import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replyExtensionIn, replySubject } from './alert-replies';

describe('replyExtensionIn', () => {
  it('reads prefix + digits after the service number', () => {
    assert.equal(replyExtensionIn('10658888019042', '1065888801', '9', 3), '9042');
    assert.equal(replyExtensionIn('+10658888019042', '+1065888801', '9', 3), '9042');
    assert.equal(replyExtensionIn('1065888801042', '1065888801', '', 3), '042');
  });

  it('nothing when the carrier dropped it, it has another shape, or it is off', () => {
    assert.equal(replyExtensionIn('1065888801', '1065888801', '9', 3), null);
    assert.equal(replyExtensionIn('106588880190421', '1065888801', '9', 3), null);
    assert.equal(replyExtensionIn('10658888018042', '1065888801', '9', 3), null);
    assert.equal(replyExtensionIn('10658888029042', '1065888801', '9', 3), null);
    assert.equal(replyExtensionIn('10658888019042', null, '9', 3), null);
    assert.equal(replyExtensionIn('10658888019042', 'DIZI', '9', 3), null);
    assert.equal(replyExtensionIn('10658888019042', '1065888801', '9', 0), null);
  });
});

describe('replySubject', () => {
  it('"Re: " once, whatever the original said', () => {
    assert.equal(replySubject('会议通知'), 'Re: 会议通知');
    assert.equal(replySubject('Re: 会议通知'), 'Re: 会议通知');
    assert.equal(replySubject('RE：hello'), 'RE：hello');
    assert.equal(replySubject('回复: 会议'), '回复: 会议');
    assert.equal(replySubject('  two\n lines '), 'Re: two lines');
  });
});
