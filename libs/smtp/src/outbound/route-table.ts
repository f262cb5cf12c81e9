import { isIP } from 'node:net';
import { InvalidRouteError } from './delivery.errors';

/** Where a route sends a domain's mail: a host (name or address) and a port. */
export interface RouteTarget {
  host: string;
  port: number;
}

const DEFAULT_SMTP_PORT = 25;

/**
 * Parses a route target: `host`, `host:port`, `[ipv6]` or `[ipv6]:port`.
 * A bare IPv6 address is accepted too, since its colons leave no room for a port.
 */
export function parseRouteTarget(pattern: string, target: string): RouteTarget {
  const text = target.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = text.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
    if (isIP(host) !== 6) throw new InvalidRouteError(pattern, target);
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const parts = text.split(':');
    if (parts.length > 2) throw new InvalidRouteError(pattern, target);
    host = parts[0];
    portText = parts[1];
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) {
      throw new InvalidRouteError(pattern, target);
    }
  }
  const port = portText === undefined ? DEFAULT_SMTP_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidRouteError(pattern, target);
  }
  return { host, port };
}

/**
 * Static routes from config, consulted before DNS: `example.com` (that domain),
 * `.example.com` (its subdomains) and `*` (everything else). The most specific wins.
 * All entries are parsed at construction so a typo fails at start, not at delivery.
 */
export class RouteTable {
  private readonly exact = new Map<string, RouteTarget>();
  private readonly suffixes: Array<[suffix: string, target: RouteTarget]> = [];
  private readonly fallback: RouteTarget | null;

  constructor(routes: Record<string, string> = {}) {
    let fallback: RouteTarget | null = null;
    for (const [pattern, target] of Object.entries(routes)) {
      const key = normalizeDomain(pattern);
      const parsed = parseRouteTarget(pattern, target);
      if (key === '*') fallback = parsed;
      else if (key.startsWith('.')) this.suffixes.push([key, parsed]);
      else this.exact.set(key, parsed);
    }
    // Longest suffix first, so `.a.example.com` beats `.example.com`.
    this.suffixes.sort((a, b) => b[0].length - a[0].length);
    this.fallback = fallback;
  }

  lookup(domain: string): RouteTarget | null {
    const key = normalizeDomain(domain);
    const exact = this.exact.get(key);
    if (exact) return exact;
    for (const [suffix, target] of this.suffixes) {
      if (key.endsWith(suffix)) return target;
    }
    return this.fallback;
  }
}

/** Lower case, no trailing dot: DNS names compare case-insensitively (RFC 4343). */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}
