import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidPhoneNumberError,
  LinkDownError,
  NoRouteError,
  RequestTimeoutError,
  SubmitRefusedError,
} from '../errors';
import type { LinkHealth, LinkState } from '../sms-link';
import type { OutboundSms } from '../sms';
import { nationalNumber } from './phone-number';
import { SmsRouter, type RoutableLink } from './sms-router';

class FakeLink implements RoutableLink {
  sent: OutboundSms[] = [];
  failWith?: Error;
  state: LinkState = 'up';
  ratePerSec = 0;
  constructor(
    readonly id: string,
    readonly config: { prefixes: string[]; priority: number },
  ) {}
  health(): LinkHealth {
    return {
      state: this.state,
      windowInUse: 0,
      windowSize: 16,
      ratePerSec: this.ratePerSec,
      tps: 100,
      errors: 0,
    };
  }
  async submit(sms: OutboundSms): Promise<string[]> {
    if (this.failWith) throw this.failWith;
    this.sent.push(sms);
    return [`${this.id}-1`];
  }
}

const sms = (to: string): OutboundSms => ({ id: 's1', to, text: 'hi' });

describe('SmsRouter', () => {
  it('routes by number prefix, with the country code stripped', async () => {
    const mobile = new FakeLink('cm', { prefixes: ['134', '135'], priority: 1 });
    const unicom = new FakeLink('cu', { prefixes: ['130', '131'], priority: 1 });
    const router = new SmsRouter([mobile, unicom]);
    assert.equal((await router.submit(sms('+8613112345678'))).linkId, 'cu');
    assert.equal((await router.submit(sms('13512345678'))).linkId, 'cm');
  });

  it('prefers the lower priority number, then the longer prefix, then the idler link', () => {
    const catchAll = new FakeLink('any', { prefixes: [], priority: 1 });
    const specific = new FakeLink('spec', { prefixes: ['1380013'], priority: 1 });
    const backup = new FakeLink('backup', { prefixes: ['138'], priority: 2 });
    const router = new SmsRouter([backup, catchAll, specific]);
    assert.deepEqual(
      router.candidates('13800138000').map((l) => l.id),
      ['spec', 'any', 'backup'],
    );
    const busy = new FakeLink('busy', { prefixes: [], priority: 1 });
    const idle = new FakeLink('idle', { prefixes: [], priority: 1 });
    busy.ratePerSec = 90;
    assert.deepEqual(
      new SmsRouter([busy, idle]).candidates('13800138000').map((l) => l.id),
      ['idle', 'busy'],
    );
  });

  it('skips links that are down and ranks connecting ones after up ones', () => {
    const a = new FakeLink('a', { prefixes: [], priority: 1 });
    const b = new FakeLink('b', { prefixes: [], priority: 2 });
    const c = new FakeLink('c', { prefixes: [], priority: 3 });
    a.state = 'connecting';
    b.state = 'down';
    assert.deepEqual(
      new SmsRouter([a, b, c]).candidates('13800138000').map((l) => l.id),
      ['c', 'a'],
    );
  });

  it('fails over when a link turns out down or refuses before accepting anything', async () => {
    const first = new FakeLink('first', { prefixes: [], priority: 1 });
    const second = new FakeLink('second', { prefixes: [], priority: 2 });
    const third = new FakeLink('third', { prefixes: [], priority: 3 });
    first.failWith = new LinkDownError('first');
    second.failWith = new SubmitRefusedError('second', 8, 'flow control', true);
    const routed = await new SmsRouter([first, second, third]).submit(sms('13800138000'));
    assert.equal(routed.linkId, 'third');
    assert.deepEqual(
      routed.failedOver.map((f) => f.linkId),
      ['first', 'second'],
    );
  });

  it('does not fail over when the carrier may already have the message', async () => {
    const partly = new FakeLink('partly', { prefixes: [], priority: 1 });
    const timedOut = new FakeLink('timeout', { prefixes: [], priority: 1 });
    const other = new FakeLink('other', { prefixes: [], priority: 2 });
    partly.failWith = new SubmitRefusedError('partly', 8, 'flow control', true, ['id-1']);
    await assert.rejects(
      new SmsRouter([partly, other]).submit(sms('13800138000')),
      SubmitRefusedError,
    );
    timedOut.failWith = new RequestTimeoutError(3, 60_000);
    await assert.rejects(
      new SmsRouter([timedOut, other]).submit(sms('13800138000')),
      RequestTimeoutError,
    );
    assert.equal(other.sent.length, 0);
  });

  it('says which links it tried when none could take the message', async () => {
    const a = new FakeLink('a', { prefixes: ['138'], priority: 1 });
    a.state = 'down';
    const unrelated = new FakeLink('u', { prefixes: ['139'], priority: 1 });
    await assert.rejects(
      new SmsRouter([a, unrelated]).submit(sms('13800138000')),
      (e: unknown) =>
        e instanceof NoRouteError && e.attempts.length === 1 && e.attempts[0].linkId === 'a',
    );
    await assert.rejects(new SmsRouter([]).submit(sms('13800138000')), /no link serves/);
  });

  it('refuses an invalid number before touching any link', async () => {
    const a = new FakeLink('a', { prefixes: [], priority: 1 });
    await assert.rejects(new SmsRouter([a]).submit(sms('138-0013')), InvalidPhoneNumberError);
    assert.equal(a.sent.length, 0);
  });
});

describe('nationalNumber', () => {
  it('strips +86, 0086 and 86 in front of an 11-digit mobile number only', () => {
    assert.equal(nationalNumber('+8613800138000'), '13800138000');
    assert.equal(nationalNumber('008613800138000'), '13800138000');
    assert.equal(nationalNumber('8613800138000'), '13800138000');
    assert.equal(nationalNumber('86123'), '86123');
    assert.throws(() => nationalNumber('12'), InvalidPhoneNumberError);
    assert.throws(() => nationalNumber('1'.repeat(22)), InvalidPhoneNumberError);
  });
});
