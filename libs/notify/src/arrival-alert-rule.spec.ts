import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertRuleEntity } from '@dizi/store';
import type { AlertMail } from './alert-mail';
import { ArrivalAlertRule, decideAlert } from './arrival-alert-rule';
import { localTime } from './local-time';

const defaults = { dailyCap: 50, quietStart: '', quietEnd: '' };
let nextId = 1;
const rule = (over: Partial<AlertRuleEntity> = {}) =>
  new ArrivalAlertRule(
    {
      id: nextId++,
      userId: 1,
      enabled: true,
      senders: '',
      keywords: '',
      highPriority: false,
      folder: null,
      quietStart: null,
      quietEnd: null,
      dailyCap: null,
      createdAt: 0,
      ...over,
    },
    defaults,
  );
const mail = (over: Partial<AlertMail> = {}): AlertMail => ({
  fromAddress: 'boss@corp.example.cn',
  fromName: 'Boss',
  subject: '合同审批',
  priority: 'normal',
  junk: false,
  body: '请尽快处理 the URGENT contract',
  ...over,
});
const inbox = (m: AlertMail) => ({ mail: m, folder: 'INBOX' });
// 2024-03-05 14:22 in Shanghai
const afternoon = localTime(new Date('2024-03-05T06:22:00Z'), 'Asia/Shanghai');
const night = localTime(new Date('2024-03-05T15:30:00Z'), 'Asia/Shanghai'); // 23:30

describe('ArrivalAlertRule', () => {
  it('an empty rule alerts on any mail', () => {
    assert.ok(rule().matches(inbox(mail())));
  });

  it('senders: exact address, @domain and its subdomains', () => {
    assert.ok(rule({ senders: 'boss@corp.example.cn' }).matches(inbox(mail())));
    assert.ok(rule({ senders: '@example.cn' }).matches(inbox(mail())));
    assert.ok(rule({ senders: 'other@x.cn\n@corp.example.cn' }).matches(inbox(mail())));
    assert.ok(!rule({ senders: 'boss@example.cn' }).matches(inbox(mail())));
    assert.ok(!rule({ senders: '@ample.cn' }).matches(inbox(mail())));
    assert.ok(!rule({ senders: '@example.cn' }).matches(inbox(mail({ fromAddress: '' }))));
  });

  it('keywords: any of them, case-insensitive, in subject or body', () => {
    assert.ok(rule({ keywords: '合同' }).matches(inbox(mail())));
    assert.ok(rule({ keywords: 'urgent' }).matches(inbox(mail())));
    assert.ok(rule({ keywords: '发票\ncontract' }).matches(inbox(mail())));
    assert.ok(!rule({ keywords: '发票' }).matches(inbox(mail())));
  });

  it('high priority only, folder, disabled', () => {
    assert.ok(!rule({ highPriority: true }).matches(inbox(mail())));
    assert.ok(rule({ highPriority: true }).matches(inbox(mail({ priority: 'high' }))));
    assert.ok(rule({ folder: 'inbox' }).matches(inbox(mail())));
    assert.ok(!rule({ folder: 'Work' }).matches(inbox(mail())));
    assert.ok(!rule({ enabled: false }).matches(inbox(mail())));
  });

  it('every condition must hold', () => {
    const r = rule({ senders: '@example.cn', keywords: '发票', highPriority: true });
    assert.ok(!r.matches(inbox(mail({ priority: 'high' }))));
    assert.ok(r.matches(inbox(mail({ priority: 'high', subject: '发票' }))));
  });
});

describe('decideAlert', () => {
  it('junk never alerts, whatever the rules', () => {
    assert.deepEqual(decideAlert([rule()], inbox(mail({ junk: true })), afternoon), {
      kind: 'none',
      reason: 'junk',
    });
  });

  it('mail in a Junk, Spam or Virus folder, or flagged so by a scanner, never alerts', () => {
    const none = { kind: 'none', reason: 'junk' };
    for (const folder of ['Junk', 'spam', 'Virus', 'VIRUS'])
      assert.deepEqual(decideAlert([rule()], { mail: mail(), folder }, afternoon), none, folder);
    for (const flags of [['$Virus'], ['\\Seen', '$Junk'], ['$infected']])
      assert.deepEqual(
        decideAlert([rule()], { mail: mail(), folder: 'INBOX', flags }, afternoon),
        none,
        flags.join(' '),
      );
    // A rule naming the Virus folder does not make infected mail alert either.
    assert.deepEqual(
      decideAlert([rule({ folder: 'Virus' })], { mail: mail(), folder: 'Virus' }, afternoon),
      none,
    );
    assert.equal(
      decideAlert([rule()], { mail: mail(), folder: 'INBOX', flags: ['$Work'] }, afternoon).kind,
      'alert',
    );
  });

  it('no matching rule: no alert; the first matching rule decides with its cap', () => {
    assert.equal(
      decideAlert([rule({ keywords: 'x-none' })], inbox(mail()), afternoon).kind,
      'none',
    );
    const capped = rule({ keywords: '合同', dailyCap: 3 });
    const d = decideAlert([rule({ keywords: 'x-none' }), capped, rule()], inbox(mail()), afternoon);
    assert.equal(d.kind, 'alert');
    assert.equal(d.kind === 'alert' && d.rule, capped);
    assert.equal(d.kind === 'alert' && d.dailyCap, 3);
    const fallback = decideAlert([rule()], inbox(mail()), afternoon);
    assert.equal(fallback.kind === 'alert' && fallback.dailyCap, 50);
  });

  it('quiet hours across midnight hold the alert back', () => {
    const r = rule({ quietStart: '22:00', quietEnd: '07:00' });
    assert.equal(decideAlert([r], inbox(mail()), night).kind, 'quiet');
    assert.equal(decideAlert([r], inbox(mail()), afternoon).kind, 'alert');
    const defaultsQuiet = new ArrivalAlertRule(rule().row, {
      ...defaults,
      quietStart: '12:00',
      quietEnd: '15:00',
    });
    assert.equal(decideAlert([defaultsQuiet], inbox(mail()), afternoon).kind, 'quiet');
  });

  it('local time: day and label in the configured zone', () => {
    assert.deepEqual(afternoon, {
      day: '2024-03-05',
      minuteOfDay: 14 * 60 + 22,
      label: '03-05 14:22',
    });
    assert.equal(localTime(new Date('2024-03-05T17:00:00Z'), 'Asia/Shanghai').day, '2024-03-06');
  });
});
