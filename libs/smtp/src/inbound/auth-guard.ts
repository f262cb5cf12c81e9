/**
 * Failed-login defence (M1, W10): every failure costs the client a delay, and after
 * `maxAttempts` failures for one (IP, login) pair further tries are refused for
 * `lockSeconds`, whatever the password.
 */
export class AuthGuard {
  private readonly failures = new Map<
    string,
    { count: number; lockedUntil: number; last: number }
  >();

  constructor(
    readonly delayMs: number,
    private readonly maxAttempts: number,
    private readonly lockSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  private key(ip: string, login: string): string {
    return `${ip} ${login.toLowerCase()}`;
  }

  isLocked(ip: string, login: string): boolean {
    const f = this.failures.get(this.key(ip, login));
    return !!f && f.lockedUntil > this.now();
  }

  recordFailure(ip: string, login: string): void {
    const k = this.key(ip, login);
    const t = this.now();
    const f = this.failures.get(k);
    // Failures older than the lock window are forgotten.
    const count = f && t - f.last < this.lockSeconds * 1000 ? f.count + 1 : 1;
    this.failures.set(k, {
      count,
      last: t,
      lockedUntil: count >= this.maxAttempts ? t + this.lockSeconds * 1000 : 0,
    });
    if (this.failures.size > 100_000) this.prune();
  }

  recordSuccess(ip: string, login: string): void {
    this.failures.delete(this.key(ip, login));
  }

  private prune(): void {
    const t = this.now();
    for (const [k, f] of this.failures) {
      if (f.lockedUntil < t && t - f.last > this.lockSeconds * 1000) this.failures.delete(k);
    }
  }
}
