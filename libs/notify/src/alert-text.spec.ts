import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAlertText, DEFAULT_ALERT_TEMPLATE } from './alert-text';
import { cutToBudget, segmentsNeeded, smsAlphabet, smsCapacity, textCost } from './sms-length';

const one = { template: DEFAULT_ALERT_TEMPLATE, segments: 1 };

describe('SMS lengths', () => {
  it('counts GSM septets (extension characters twice) and UCS-2 code units', () => {
    assert.equal(smsAlphabet('Hello [world] €5'), 'gsm7');
    assert.equal(textCost('Hello [world] €5', 'gsm7'), 19); // [ ] € cost 2 each
    assert.equal(smsAlphabet('会议'), 'ucs2');
    assert.equal(textCost('会议😀', 'ucs2'), 4); // the emoji is a surrogate pair
    assert.equal(smsCapacity('gsm7', { segments: 1 }), 160);
    assert.equal(smsCapacity('gsm7', { segments: 3 }), 459);
    assert.equal(smsCapacity('ucs2', { segments: 1 }), 70);
    assert.equal(smsCapacity('ucs2', { segments: 2 }), 134);
    assert.equal(smsCapacity('gsm7', { segments: 1, gsmPerSegment: 140 }), 140);
    assert.equal(segmentsNeeded('a'.repeat(160)), 1);
    assert.equal(segmentsNeeded('a'.repeat(161)), 2);
    assert.equal(segmentsNeeded('中'.repeat(70)), 1);
    assert.equal(segmentsNeeded('中'.repeat(71)), 2);
  });

  it('cuts between whole characters and keeps the ellipsis inside the budget', () => {
    assert.equal(cutToBudget('ab😀cd', 4, 'ucs2', '…'), 'ab…'); // the pair does not fit with …
    assert.equal(cutToBudget('ab😀cd', 5, 'ucs2', '…'), 'ab😀…');
    assert.equal(cutToBudget('abc[[[', 7, 'gsm7', '...'), 'abc...');
    assert.equal(cutToBudget('short', 10, 'gsm7', '...'), 'short');
  });
});

describe('buildAlertText', () => {
  it('shows sender, time, subject and body when they fit', () => {
    const t = buildAlertText(
      { from: '张三', time: '03-05 14:22', subject: '会议通知', body: '明天下午三点开会' },
      one,
    );
    assert.equal(t, '张三 03-05 14:22 [会议通知] 明天下午三点开会');
  });

  it('fits a Chinese alert into 70 characters, cutting the body first', () => {
    const t = buildAlertText(
      {
        from: '张三',
        time: '03-05 14:22',
        subject: '季度报告',
        body: '各位同事：本季度的销售报告已经完成，请查收附件并在周五之前反馈意见。'.repeat(3),
      },
      one,
    );
    assert.equal(textCost(t, 'ucs2'), 70);
    assert.ok(t.startsWith('张三 03-05 14:22 [季度报告] 各位同事：本季度'), t);
    assert.ok(t.endsWith('…'));
    assert.equal(segmentsNeeded(t), 1);
  });

  it('cuts a long subject and still leaves room for the body', () => {
    const subject =
      '关于二零二四年度全体员工年终总结大会暨表彰大会具体安排的重要通知请务必准时参加';
    const t = buildAlertText(
      {
        from: '行政部',
        time: '12-01 09:00',
        subject,
        body: '地点：三楼大会议室，时间：下午两点。',
      },
      one,
    );
    assert.ok(textCost(t, 'ucs2') <= 70, `${t} is ${textCost(t, 'ucs2')} units`);
    const shown = /\[(.*)\]/.exec(t)?.[1] ?? '';
    assert.ok(shown.endsWith('…'), t);
    assert.ok(subject.startsWith(shown.slice(0, -1)), 'the subject is cut, not garbled');
    assert.match(t, /\] 地点：/, 'the body keeps its share');
  });

  it('uses the 160-character GSM budget for Latin text, and three dots', () => {
    const t = buildAlertText(
      {
        from: 'Alice Example',
        time: '03-05 14:22',
        subject: 'Quarterly report',
        body: 'Please find the report attached. '.repeat(10),
      },
      one,
    );
    assert.equal(smsAlphabet(t), 'gsm7');
    assert.equal(textCost(t, 'gsm7'), 160);
    assert.ok(t.endsWith('...'));
  });

  it('any non-GSM character makes the whole alert UCS-2 sized', () => {
    const t = buildAlertText(
      { from: 'Bob', time: '03-05 14:22', subject: 'Lunch ☕', body: 'x'.repeat(200) },
      one,
    );
    assert.ok(textCost(t, 'ucs2') <= 70);
    assert.ok(t.length > 60);
  });

  it('takes more segments when configured', () => {
    const input = { from: '张三', time: '03-05 14:22', subject: '通知', body: '内容'.repeat(200) };
    const two = buildAlertText(input, { ...one, segments: 2 });
    assert.equal(textCost(two, 'ucs2'), 134);
    assert.equal(segmentsNeeded(two), 2);
  });

  it('never splits a surrogate pair at the cut', () => {
    const t = buildAlertText(
      { from: 'A', time: '01-01 00:00', subject: 'S', body: '😀'.repeat(100) },
      one,
    );
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(t), 'no lone high surrogate');
    assert.ok(textCost(t, 'ucs2') <= 70);
  });

  it('follows a custom template and shows a missing subject as -', () => {
    const t = buildAlertText(
      { from: 'a@b.cn', time: '01-02 03:04', subject: '', body: 'hi' },
      { template: '新邮件 {from}: {subject} / {body} ({time})', segments: 1 },
    );
    assert.equal(t, '新邮件 a@b.cn: - / hi (01-02 03:04)');
  });
});
