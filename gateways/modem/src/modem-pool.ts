import {
  GatewayError,
  LinkConfigError,
  LinkDownError,
  PartialSubmitError,
  RequestTimeoutError,
  SmsLink,
  SubmitRefusedError,
  validateBaseLinkConfig,
  type LinkConfig,
  type LinkDeps,
  type LinkHealth,
  type OutboundSms,
} from '@dizi/gateway-kit';
import { AtTimeoutError, ModemClosedError, isModemFaultCms } from './at/at-errors';
import type { AtTransportFactory } from './at/at-transport';
import { ModemLink } from './modem-link';
import { MODEM_DEFAULTS, checkModemFields, type ModemLinkConfig } from './modem-link-config';

export interface ModemPoolConfig extends LinkConfig {
  kind: 'modem-pool';
  /** Each member: a modem configuration (path at least); pool-level fields are their defaults. */
  modems: ModemLinkConfig[];
  /** How long a modem that failed stays out of rotation before it is tried again. */
  benchMs: number;
}

const POOL_ONLY = new Set([
  'id',
  'kind',
  'modems',
  'benchMs',
  'prefixes',
  'priority',
  'window',
  'tps',
]);

export function validateModemPoolConfig(raw: unknown): ModemPoolConfig {
  const base = validateBaseLinkConfig(raw, { window: 1, tps: 1 });
  const id = base.id;
  if (base.kind !== 'modem-pool') throw new LinkConfigError(id, 'kind', 'must be "modem-pool"');
  const benchMs = base.benchMs ?? 30_000;
  if (!Number.isInteger(benchMs) || (benchMs as number) < 1) {
    throw new LinkConfigError(id, 'benchMs', 'must be an integer ≥ 1 (ms)');
  }
  const list = base.modems;
  if (!Array.isArray(list) || !list.length) {
    throw new LinkConfigError(id, 'modems', 'must be a non-empty list of modem configurations');
  }
  const shared = Object.fromEntries(Object.entries(base).filter(([k]) => !POOL_ONLY.has(k)));
  const seen = new Set<string>();
  const modems = list.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new LinkConfigError(id, `modems[${i}]`, 'must be an object');
    }
    const member = entry as Record<string, unknown>;
    const suffix = member.id ?? String(i + 1);
    if (typeof suffix !== 'string' || !/^[A-Za-z0-9_-]{1,20}$/.test(suffix)) {
      throw new LinkConfigError(id, `modems[${i}].id`, 'must be 1-20 letters, digits, "_" or "-"');
    }
    const memberId = `${id}.${suffix}`;
    if (seen.has(memberId)) throw new LinkConfigError(id, `modems[${i}].id`, 'is used twice');
    seen.add(memberId);
    const merged = {
      ...MODEM_DEFAULTS,
      ...shared,
      ...member,
      id: memberId,
      kind: 'modem',
      window: 1,
      tps: 1,
      prefixes: [],
      priority: base.priority,
    } as Record<string, unknown>;
    checkModemFields(memberId, merged);
    return merged as ModemLinkConfig;
  });
  return { ...base, kind: 'modem-pool', modems, benchMs: benchMs as number } as ModemPoolConfig;
}

/**
 * Several modems as one link: each SMS (all its segments, so that the handset sees
 * one sender and can join them) goes to the modem with the fewest segments waiting,
 * so N modems send N times as much. A modem that is down, stops answering or reports
 * a modem/SIM/network fault is taken out of rotation for `benchMs` and the SMS is
 * tried on the next one; a refusal of the message itself is passed on.
 *
 * Carrier ids are "<member suffix>/<modem id>", so reports from a member are matched.
 */
export class ModemPool extends SmsLink {
  declare readonly config: ModemPoolConfig;
  readonly members: ModemLink[];
  private readonly suffixes = new Map<ModemLink, string>();
  private readonly benchedUntil = new Map<ModemLink, number>();
  private turn = 0;
  private poolErrors = 0;
  private lastError: string | undefined;

  constructor(
    config: ModemPoolConfig,
    deps: LinkDeps,
    transports?: (member: ModemLinkConfig) => AtTransportFactory,
  ) {
    super(config, deps);
    this.members = config.modems.map((memberConfig) => {
      const suffix = memberConfig.id.slice(config.id.length + 1);
      const member = new ModemLink(
        memberConfig,
        {
          ...deps,
          sink: {
            message: (m) => deps.sink.message({ ...m, linkId: this.id }),
            report: (r) =>
              deps.sink.report({ ...r, linkId: this.id, messageId: `${suffix}/${r.messageId}` }),
          },
        },
        transports?.(memberConfig),
      );
      this.suffixes.set(member, suffix);
      return member;
    });
  }

  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => m.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }

  health(): LinkHealth {
    const all = this.members.map((m) => m.health());
    const state = all.some((h) => h.state === 'up')
      ? 'up'
      : all.some((h) => h.state === 'connecting')
        ? 'connecting'
        : 'down';
    const sum = (f: (h: LinkHealth) => number) => all.reduce((n, h) => n + f(h), 0);
    const memberError = all.find((h) => h.lastError)?.lastError;
    return {
      state,
      windowInUse: sum((h) => h.windowInUse),
      windowSize: sum((h) => h.windowSize),
      ratePerSec: sum((h) => h.ratePerSec),
      tps: sum((h) => (h.state === 'up' ? h.tps : 0)),
      errors: this.poolErrors + sum((h) => h.errors),
      lastError: this.lastError ?? memberError,
    };
  }

  /** Members in the order they should be tried: up, not benched, least loaded first. */
  candidates(): ModemLink[] {
    const now = this.clock.now();
    const start = this.turn++ % this.members.length;
    const rotated = [...this.members.slice(start), ...this.members.slice(0, start)];
    return rotated
      .filter((m) => m.health().state === 'up' && (this.benchedUntil.get(m) ?? 0) <= now)
      .sort((a, b) => a.pendingSegments - b.pendingSegments);
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    const candidates = this.candidates();
    if (!candidates.length) throw new LinkDownError(this.id, 'no modem of the pool is up');
    const failures: string[] = [];
    for (const member of candidates) {
      const suffix = this.suffixes.get(member) ?? member.id;
      const prefix = (ids: readonly string[]) => ids.map((x) => `${suffix}/${x}`);
      try {
        return prefix(await member.submit(sms));
      } catch (error) {
        if (error instanceof PartialSubmitError) {
          throw new PartialSubmitError(this.id, prefix(error.acceptedIds), error.failure);
        }
        if (error instanceof SubmitRefusedError && error.acceptedIds.length) {
          throw new SubmitRefusedError(
            this.id,
            error.carrierCode,
            error.reason,
            error.retryable,
            prefix(error.acceptedIds),
          );
        }
        if (!isModemFault(error)) throw error;
        this.bench(member, error as Error);
        failures.push(`${member.id}: ${(error as Error).message}`);
      }
    }
    throw new LinkDownError(this.id, `every modem failed (${failures.join('; ')})`);
  }

  private bench(member: ModemLink, error: Error): void {
    this.benchedUntil.set(member, this.clock.now() + this.config.benchMs);
    this.poolErrors++;
    this.lastError = `${member.id} out of rotation for ${this.config.benchMs} ms: ${error.message}`;
    this.logger.warn(
      { link: this.id, member: member.id, err: error },
      'modem taken out of rotation',
    );
  }
}

function isModemFault(error: unknown): boolean {
  if (error instanceof SubmitRefusedError)
    return error.carrierCode < 0 || isModemFaultCms(error.carrierCode);
  return (
    error instanceof LinkDownError ||
    error instanceof AtTimeoutError ||
    error instanceof ModemClosedError ||
    error instanceof RequestTimeoutError ||
    (error instanceof GatewayError && error.code === 'MODEM_PROTOCOL')
  );
}
