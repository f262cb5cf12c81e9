import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, LinkConfigError } from './errors';
import { validateBaseLinkConfig, type LinkConfig } from './link-config';
import { LinkRegistry, type SmsLinkFactory } from './link-registry';
import { SmsLink, type LinkDeps, type LinkHealth } from './sms-link';
import type { OutboundSms } from './sms';

class EchoLink extends SmsLink {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async submit(sms: OutboundSms): Promise<string[]> {
    return [sms.id];
  }
  health(): LinkHealth {
    return {
      state: 'up',
      windowInUse: 0,
      windowSize: this.config.window,
      ratePerSec: 0,
      tps: this.config.tps,
      errors: 0,
    };
  }
}

const echoFactory: SmsLinkFactory = {
  kind: 'echo',
  validate: (raw) => validateBaseLinkConfig(raw, { window: 8, tps: 50 }),
  create: (config: LinkConfig, deps: LinkDeps) => new EchoLink(config, deps),
};
const deps: LinkDeps = { sink: { message: () => undefined, report: () => undefined } };

describe('LinkRegistry', () => {
  it('builds a link of a registered kind with defaults filled', () => {
    const registry = new LinkRegistry([echoFactory]);
    const link = registry.create({ id: 'e1', kind: 'echo', prefixes: ['138'] }, deps);
    assert.equal(link.id, 'e1');
    assert.equal(link.health().windowSize, 8);
    assert.equal(link.config.priority, 1);
  });

  it('refuses unknown kinds, duplicate kinds and bad base fields with typed errors', () => {
    const registry = new LinkRegistry([echoFactory]);
    assert.throws(() => registry.register(echoFactory), GatewayError);
    assert.throws(
      () => registry.create({ id: 'x', kind: 'nope' }, deps),
      /"nope" is not a known kind \(known: echo\)/,
    );
    assert.throws(() => registry.create({ id: 'x' }, deps), LinkConfigError);
    assert.throws(
      () => registry.validate({ id: 'x', kind: 'echo', window: 0 }),
      /window must be an integer ≥ 1/,
    );
    assert.throws(
      () => registry.validate({ id: 'x', kind: 'echo', prefixes: ['13a'] }),
      /prefixes/,
    );
    assert.throws(() => registry.validate({ id: 'x', kind: 'echo', port: 70000 }), /port/);
    assert.throws(() => registry.validate({ id: 'bad id!', kind: 'echo' }), /id must be/);
    assert.throws(() => registry.validate('echo'), /must be an object/);
  });
});
