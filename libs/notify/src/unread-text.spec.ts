import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { segmentsNeeded } from './sms-length';
import { buildUnreadText } from './unread-text';

const mail = (from: string, subject: string) => ({ from, subject, internalDate: 0 });

describe('buildUnreadText', () => {
  it('says so when there is nothing unread', () => {
    assert.match(buildUnreadText(0, [], { segments: 2 }), /没有未读邮件.*No unread mail/);
  });

  it('lists the newest with sender names (or addresses) and subjects', () => {
    const text = buildUnreadText(
      2,
      [mail('"张三" <zhang@example.cn>', '会议通知'), mail('li@example.com', 'lunch?')],
      { segments: 2 },
    );
    assert.equal(text, '未读邮件 2 封 (2 unread): 1.张三《会议通知》 2.li@example.com《lunch?》');
  });

  it('fits the segments: as many lines as fit, long senders and subjects cut', () => {
    const many = Array.from({ length: 10 }, (_, i) =>
      mail(
        `Someone With A Very Long Name ${i} <s${i}@example.com>`,
        `第${i}封很长很长很长很长很长很长很长很长很长的主题`,
      ),
    );
    for (const segments of [1, 2, 3]) {
      const text = buildUnreadText(57, many, { segments });
      assert.ok(segmentsNeeded(text) <= segments, `${segments}: ${text}`);
      assert.match(text, /^未读邮件 57 封 \(57 unread\): 1\.Someone With A…《第0封很长很长很长/);
    }
    const one = buildUnreadText(57, many, { segments: 1 });
    const two = buildUnreadText(57, many, { segments: 2 });
    assert.ok(two.length > one.length, 'two segments list more');
  });
});
