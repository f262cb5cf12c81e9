import { GatewayError, LinkConfigError } from './errors';
import type { LinkConfig } from './link-config';
import type { LinkDeps, SmsLink } from './sms-link';

/** What a gateway module registers: how to check a config of its kind and build a link. */
export interface SmsLinkFactory<C extends LinkConfig = LinkConfig> {
  readonly kind: string;
  /** Validates raw config data and fills defaults; throws {@link LinkConfigError}. */
  validate(raw: unknown): C;
  create(config: C, deps: LinkDeps): SmsLink;
}

/** DI token under which gateway modules provide their factories. */
export const SMS_LINK_FACTORIES = Symbol('SMS_LINK_FACTORIES');

/** Factories by kind; builds links from configuration data. */
export class LinkRegistry {
  private readonly factories = new Map<string, SmsLinkFactory>();

  constructor(factories: readonly SmsLinkFactory[] = []) {
    for (const f of factories) this.register(f);
  }

  register(factory: SmsLinkFactory): void {
    if (this.factories.has(factory.kind)) {
      throw new GatewayError(
        'DUPLICATE_KIND',
        `a link factory for kind "${factory.kind}" is already registered`,
      );
    }
    this.factories.set(factory.kind, factory);
  }

  kinds(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** Validates a raw config with its kind's factory, without building anything. */
  validate(raw: unknown): LinkConfig {
    return this.factoryFor(raw).validate(raw);
  }

  create(raw: unknown, deps: LinkDeps): SmsLink {
    const factory = this.factoryFor(raw);
    return factory.create(factory.validate(raw), deps);
  }

  private factoryFor(raw: unknown): SmsLinkFactory {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new LinkConfigError('', 'link', 'must be an object');
    }
    const record = raw as Record<string, unknown>;
    const id = typeof record.id === 'string' ? record.id : '';
    const kind = record.kind;
    if (typeof kind !== 'string') throw new LinkConfigError(id, 'kind', 'is required');
    const factory = this.factories.get(kind);
    if (!factory) {
      throw new LinkConfigError(
        id,
        'kind',
        `"${kind}" is not a known kind (known: ${this.kinds().join(', ') || 'none'})`,
      );
    }
    return factory;
  }
}
