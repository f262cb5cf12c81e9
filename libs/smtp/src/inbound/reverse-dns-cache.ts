import { promises as dns } from 'node:dns';

type ReverseCallback = (err: NodeJS.ErrnoException | null, hostnames?: string[]) => void;

/**
 * Reverse DNS for the SMTP greeting and Received header, with the answers kept for a
 * few minutes: a busy client (an application server, a relay) opens a connection per
 * message, and one PTR lookup each would cost more than the message. Failures are kept
 * for a shorter time so a fixed PTR is seen soon.
 */
export class ReverseDnsCache {
  private readonly entries = new Map<
    string,
    { names: string[] | null; error: NodeJS.ErrnoException | null; expires: number }
  >();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly failureTtlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly lookup: (ip: string) => Promise<string[]> = (ip) => dns.reverse(ip),
    private readonly now: () => number = Date.now,
  ) {}

  /** The callback shape smtp-server's `resolver.reverse` expects. */
  reverse = (ip: string, callback: ReverseCallback): void => {
    const hit = this.entries.get(ip);
    if (hit && hit.expires > this.now()) {
      callback(hit.error, hit.names ?? undefined);
      return;
    }
    this.lookup(ip).then(
      (names) => {
        this.store(ip, { names, error: null, expires: this.now() + this.ttlMs });
        callback(null, names);
      },
      (error: NodeJS.ErrnoException) => {
        this.store(ip, { names: null, error, expires: this.now() + this.failureTtlMs });
        callback(error);
      },
    );
  };

  private store(
    ip: string,
    entry: { names: string[] | null; error: NodeJS.ErrnoException | null; expires: number },
  ): void {
    if (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(ip, entry);
  }
}
