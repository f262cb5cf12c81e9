import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planNotices } from './send-time-notice';

const SENDER = 'zhang@dizi.test';

describe('send-time notice: which numbers', () => {
  test("the sender's contact comes first, then a local recipient's bound phone", () => {
    const plan = planNotices(
      [
        { address: 'li@dizi.test', userId: 1 },
        { address: 'Wang@Remote.test' },
        { address: 'zhao@dizi.test', userId: 3 },
      ],
      new Map([
        ['li@dizi.test', '13900139001'],
        ['wang@remote.test', '13900139002'],
      ]),
      new Map([
        [1, '13800138001'],
        [3, '13800138003'],
      ]),
      { cap: 10, sender: SENDER },
    );
    assert.deepEqual(plan.chosen, [
      { address: 'li@dizi.test', number: '13900139001', source: 'contact' },
      { address: 'wang@remote.test', number: '13900139002', source: 'contact' },
      { address: 'zhao@dizi.test', number: '13800138003', source: 'phone' },
    ]);
    assert.deepEqual(plan.noNumber, []);
  });

  test('recipients without a number are skipped and listed; the sender is never told', () => {
    const plan = planNotices(
      [
        { address: SENDER, userId: 9 },
        { address: 'nobody@remote.test' },
        { address: 'x@dizi.test', userId: 4 },
      ],
      new Map(),
      new Map([[9, '13800138009']]),
      { cap: 10, sender: SENDER },
    );
    assert.deepEqual(plan.chosen, []);
    assert.deepEqual(plan.noNumber, ['nobody@remote.test', 'x@dizi.test']);
  });

  test('one notice per number; at most `cap` of them, the rest listed as capped', () => {
    const targets = Array.from({ length: 1000 }, (_, i) => ({
      address: `m${i}@dizi.test`,
      userId: i,
    }));
    const phones = new Map(
      targets.map((t) => [t.userId, `138${String(t.userId).padStart(8, '0')}`]),
    );
    phones.set(1, phones.get(0)!); // two members share a phone
    const plan = planNotices(targets, new Map(), phones, { cap: 5, sender: SENDER });
    assert.deepEqual(
      plan.chosen.map((c) => c.address),
      ['m0@dizi.test', 'm2@dizi.test', 'm3@dizi.test', 'm4@dizi.test', 'm5@dizi.test'],
    );
    assert.equal(plan.capped.length, 1000 - 6);
    assert.equal(
      planNotices(targets, new Map(), phones, { cap: 0, sender: SENDER }).chosen.length,
      0,
    );
  });
});
