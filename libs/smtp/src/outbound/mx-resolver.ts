import { promises as dnsPromises, type MxRecord } from 'node:dns';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { MxLookupError } from './delivery.errors';
import { normalizeDomain, RouteTable } from './route-table';

/** The DNS queries the resolver needs; node's `dns.promises` fits, tests pass a fake. */
export interface DnsResolver {
  resolveMx(hostname: string): Promise<MxRecord[]>;
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

/** One address to try, in order. Several targets may share a host (its A and AAAA records). */
export interface DeliveryTarget {
  /** The name we connect to: MX exchange, the domain itself (implicit MX) or the route host. */
  host: string;
  address: string;
  port: number;
  /** How the target was found. */
  source: 'route' | 'mx' | 'implicit-mx';
  /** MX preference (0 for routes and implicit MX). */
  preference: number;
}

export interface MxResolverOptions {
  resolver?: DnsResolver;
  /** Static routes (config `delivery.routes`), consulted before DNS. */
  routes?: Record<string, string>;
  /** Port for MX and implicit-MX targets; 25 except in tests. */
  smtpPort?: number;
  /** Upper bound of addresses tried for one delivery, so a huge MX set cannot stall a worker. */
  maxTargets?: number;
  /** Source of randomness for ordering equal-preference MX hosts; injectable for tests. */
  random?: () => number;
}

/** DNS answers that mean "this name has no such records" rather than "DNS is broken". */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'NXDOMAIN']);
const NO_DATA = new Set(['ENODATA', 'NODATA']);

/**
 * Finds where to deliver a domain's mail (RFC 5321 5.1): the route table first, then MX
 * records by preference with random order among equals, then the domain's own A/AAAA
 * records when it has no MX. A null MX (RFC 7505) is a permanent refusal.
 * Throws MxLookupError when there is nowhere to go.
 */
export class MxResolver {
  private readonly resolver: DnsResolver;
  private readonly routes: RouteTable;
  private readonly smtpPort: number;
  private readonly maxTargets: number;
  private readonly random: () => number;

  constructor(options: MxResolverOptions = {}) {
    this.resolver = options.resolver ?? dnsPromises;
    this.routes = new RouteTable(options.routes);
    this.smtpPort = options.smtpPort ?? 25;
    this.maxTargets = options.maxTargets ?? 10;
    this.random = options.random ?? Math.random;
  }

  async resolve(domain: string): Promise<DeliveryTarget[]> {
    const name = toAsciiDomain(domain);
    const route = this.routes.lookup(name);
    if (route) {
      const addresses = await this.addressesOfRoute(name, route.host);
      return addresses.slice(0, this.maxTargets).map((address) => ({
        host: route.host,
        address,
        port: route.port,
        source: 'route',
        preference: 0,
      }));
    }

    const records = await this.lookupMx(name);
    if (records === null) return this.implicitMx(name);

    const real = records.filter((record) => !isNullMx(record));
    if (real.length === 0) {
      throw new MxLookupError(
        `${name} does not accept mail: its DNS publishes a null MX record (RFC 7505)`,
        name,
        true,
        '5.1.10',
      );
    }
    return this.addressesOfExchanges(name, this.orderByPreference(real));
  }

  /** MX records, or null when the domain exists but has none (fall back to A/AAAA). */
  private async lookupMx(domain: string): Promise<MxRecord[] | null> {
    try {
      const records = await this.resolver.resolveMx(domain);
      return records.length > 0 ? records : null;
    } catch (error) {
      const code = dnsErrorCode(error);
      if (NO_DATA.has(code)) return null;
      if (NO_SUCH_NAME.has(code)) {
        throw new MxLookupError(
          `domain ${domain} does not exist (DNS: ${code})`,
          domain,
          true,
          '5.1.2',
        );
      }
      throw new MxLookupError(
        `MX lookup for ${domain} failed temporarily (DNS: ${code}); will try again`,
        domain,
        false,
        '4.4.3',
      );
    }
  }

  /** RFC 5321 5.1: no MX records means the domain itself is the one mail exchanger. */
  private async implicitMx(domain: string): Promise<DeliveryTarget[]> {
    const { addresses, transientError } = await this.addressesOf(domain);
    if (addresses.length === 0) {
      if (transientError) {
        throw new MxLookupError(
          `address lookup for ${domain} failed temporarily (DNS: ${transientError}); will try again`,
          domain,
          false,
          '4.4.3',
        );
      }
      throw new MxLookupError(
        `${domain} has no MX, A or AAAA record, so there is no mail server to deliver to`,
        domain,
        true,
        '5.1.2',
      );
    }
    return addresses.slice(0, this.maxTargets).map((address) => ({
      host: domain,
      address,
      port: this.smtpPort,
      source: 'implicit-mx',
      preference: 0,
    }));
  }

  private async addressesOfExchanges(
    domain: string,
    records: MxRecord[],
  ): Promise<DeliveryTarget[]> {
    const lookups = await Promise.all(records.map((record) => this.addressesOf(record.exchange)));
    const targets: DeliveryTarget[] = [];
    let transientError: string | null = null;
    records.forEach((record, index) => {
      const lookup = lookups[index];
      transientError ??= lookup.transientError;
      for (const address of lookup.addresses) {
        targets.push({
          host: normalizeDomain(record.exchange),
          address,
          port: this.smtpPort,
          source: 'mx',
          preference: record.priority,
        });
      }
    });
    if (targets.length > 0) return targets.slice(0, this.maxTargets);
    const names = records.map((record) => record.exchange).join(', ');
    if (transientError) {
      throw new MxLookupError(
        `address lookup of the MX hosts of ${domain} (${names}) failed temporarily (DNS: ${transientError}); will try again`,
        domain,
        false,
        '4.4.3',
      );
    }
    throw new MxLookupError(
      `the MX hosts of ${domain} (${names}) have no A or AAAA record`,
      domain,
      true,
      '5.4.4',
    );
  }

  private async addressesOfRoute(domain: string, host: string): Promise<string[]> {
    if (isIP(host)) return [host];
    const { addresses, transientError } = await this.addressesOf(host);
    if (addresses.length > 0) return addresses;
    // A route is the admin's own config: never bounce because of it, defer so it can be fixed.
    throw new MxLookupError(
      `the delivery route for ${domain} names host ${host}, which has no A or AAAA record${
        transientError ? ` (DNS: ${transientError})` : ''
      }; check delivery.routes`,
      domain,
      false,
      '4.4.3',
    );
  }

  /** IPv4 first: servers without a working IPv6 route are still common. */
  private async addressesOf(
    host: string,
  ): Promise<{ addresses: string[]; transientError: string | null }> {
    const [v4, v6] = await Promise.allSettled([
      this.resolver.resolve4(host),
      this.resolver.resolve6(host),
    ]);
    const addresses: string[] = [];
    let transientError: string | null = null;
    for (const result of [v4, v6]) {
      if (result.status === 'fulfilled') {
        addresses.push(...result.value);
      } else {
        const code = dnsErrorCode(result.reason);
        if (!NO_DATA.has(code) && !NO_SUCH_NAME.has(code)) transientError ??= code;
      }
    }
    return { addresses, transientError };
  }

  /** Lowest preference first; hosts of equal preference shuffled to spread load (RFC 5321 5.1). */
  private orderByPreference(records: MxRecord[]): MxRecord[] {
    const shuffled = [...records];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    // Array.prototype.sort is stable, so the shuffle survives among equal priorities.
    return shuffled.sort((a, b) => a.priority - b.priority);
  }
}

/** RFC 7505: a single MX with preference 0 and exchange "." (node reports "" for "."). */
function isNullMx(record: MxRecord): boolean {
  return record.exchange === '' || record.exchange === '.';
}

function dnsErrorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'EUNKNOWN';
}

/** DNS needs the A-label form of internationalized domain names (RFC 5890). */
function toAsciiDomain(domain: string): string {
  const normalized = normalizeDomain(domain);
  const ascii = domainToASCII(normalized);
  if (!ascii) {
    throw new MxLookupError(`"${domain}" is not a valid domain name`, domain, true, '5.1.2');
  }
  return ascii;
}
