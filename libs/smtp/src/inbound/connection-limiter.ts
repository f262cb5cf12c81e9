/**
 * Per-client-IP connection limits (M1, S6): connections open at once and connections
 * opened in the last minute. Kept per process: each node limits what it serves.
 */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly maxAtOnce: number,
    private readonly maxPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns a reason to refuse, or null and counts the connection as open. */
  admit(ip: string): string | null {
    const t = this.now();
    const times = (this.recent.get(ip) ?? []).filter((x) => t - x < 60_000);
    if ((this.open.get(ip) ?? 0) >= this.maxAtOnce) {
      return `too many connections from ${ip} at once (limit ${this.maxAtOnce})`;
    }
    if (times.length >= this.maxPerMinute) {
      this.recent.set(ip, times);
      return `too many connections from ${ip} in the last minute (limit ${this.maxPerMinute})`;
    }
    times.push(t);
    this.recent.set(ip, times);
    this.open.set(ip, (this.open.get(ip) ?? 0) + 1);
    return null;
  }

  release(ip: string): void {
    const n = (this.open.get(ip) ?? 0) - 1;
    if (n > 0) this.open.set(ip, n);
    else this.open.delete(ip);
    const times = this.recent.get(ip);
    if (times && !times.some((x) => this.now() - x < 60_000)) this.recent.delete(ip);
  }
}
