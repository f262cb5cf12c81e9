import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SmppTag } from './smpp-constants';
import { intTlv } from './smpp-pdu';
import { ReceiptParseError, parseReceipt, parseReceiptText, receiptDate } from './smpp-receipt';

describe('SMPP delivery receipt text', () => {
  it('reads the SMPP 3.4 Appendix B layout', () => {
    const r = parseReceipt(
      'id:0123456789 sub:001 dlvrd:001 submit date:2311221530 done date:2311221531 stat:DELIVRD err:000 text:Hello world',
      [],
    );
    assert.equal(r.messageId, '0123456789');
    assert.equal(r.state, 'delivered');
    assert.equal(r.carrierStatus, 'DELIVRD');
    assert.equal(r.error, '000');
    assert.deepEqual(r.submittedAt, new Date(2023, 10, 22, 15, 30));
    assert.deepEqual(r.doneAt, new Date(2023, 10, 22, 15, 31));
    assert.equal(r.fields.text, 'Hello world');
  });

  it('takes real-world variants: seconds, underscores, capital Text, other order, extra spaces', () => {
    const v = parseReceiptText(
      'id:7f0e1c2a-9b  submit_date:231122153005 done_date:231122153107 stat:UNDELIV err:0x0b Text:a: b: c',
    );
    assert.deepEqual(v, {
      id: '7f0e1c2a-9b',
      submitDate: '231122153005',
      doneDate: '231122153107',
      stat: 'UNDELIV',
      err: '0x0b',
      text: 'a: b: c',
    });
    const ordered = parseReceiptText('stat:EXPIRED id:42 err:001');
    assert.equal(ordered.id, '42');
    assert.equal(ordered.stat, 'EXPIRED');
    // Kannel's own (lower-case) and some SMSCs' long status words.
    assert.equal(parseReceipt('id:1 stat:DELIVERED', []).state, 'delivered');
    assert.equal(parseReceipt('id:1 stat:UNDELIVERABLE', []).state, 'undeliverable');
    assert.equal(parseReceipt('id:1 stat:REJECTD', []).state, 'rejected');
    assert.equal(parseReceipt('id:1 stat:deleted', []).state, 'deleted');
    assert.equal(parseReceipt('id:1 stat:ENROUTE', []).state, 'accepted');
    assert.equal(parseReceipt('id:1 stat:WEIRD', []).state, 'unknown');
    assert.equal(parseReceipt('id:1', []).carrierStatus, 'UNKNOWN');
  });

  it('prefers receipted_message_id and message_state to the text', () => {
    const tlvs = [
      { tag: SmppTag.RECEIPTED_MESSAGE_ID, value: Buffer.from('ABC123\0') },
      intTlv(SmppTag.MESSAGE_STATE, 5, 1),
      { tag: SmppTag.NETWORK_ERROR_CODE, value: Buffer.from([3, 0, 0x0b]) },
    ];
    const r = parseReceipt('id:11259375 stat:DELIVRD', tlvs);
    assert.equal(r.messageId, 'ABC123');
    assert.equal(r.state, 'undeliverable');
    assert.equal(r.carrierStatus, 'DELIVRD');
    const tlvOnly = parseReceipt('', tlvs);
    assert.equal(tlvOnly.carrierStatus, 'UNDELIV');
    assert.equal(tlvOnly.error, '3:11');
  });

  it('converts a decimal receipt id to the hex form of submit_sm_resp ids and back', () => {
    assert.equal(
      parseReceipt('id:11259375 stat:DELIVRD', [], 'decimal-to-hex').messageId,
      'abcdef',
    );
    assert.equal(
      parseReceipt('id:11259375 stat:DELIVRD', [], 'decimal-to-hex-upper').messageId,
      'ABCDEF',
    );
    assert.equal(
      parseReceipt('id:abcdef stat:DELIVRD', [], 'hex-to-decimal').messageId,
      '11259375',
    );
    assert.equal(parseReceipt('id:xyz stat:DELIVRD', [], 'hex-to-decimal').messageId, 'xyz');
  });

  it('refuses a receipt without any id', () => {
    assert.throws(() => parseReceipt('sub:001 stat:DELIVRD', []), ReceiptParseError);
    assert.throws(() => parseReceipt('garbage', []), /no message id/);
  });

  it('reads dates only when they are real', () => {
    assert.equal(receiptDate('2313221530'), undefined); // month 13
    assert.equal(receiptDate('23112215'), undefined);
    assert.equal(receiptDate(undefined), undefined);
    assert.deepEqual(receiptDate('240229235959'), new Date(2024, 1, 29, 23, 59, 59));
    assert.equal(receiptDate('230229120000'), undefined); // 2023 is not a leap year
  });
});
