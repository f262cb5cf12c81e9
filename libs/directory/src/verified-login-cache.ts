import { createHmac, randomBytes } from 'node:crypto';

const MAX_ENTRIES = 10_000;

/**
 * Remembers which (address, password) pairs were verified recently, so a phone that
 * logs in over IMAP or POP3 every few minutes does not pay for scrypt each time. Keys
 * hold an HMAC of the password with a per-process secret, never the password. A hit
 * counts only while the user's stored hash is still the one it was verified against,
 * so a password change anywhere ends it at once.
 */
export class VerifiedLoginCache {
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, { passwordHash: string; expires: number }>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key(address: string, password: string): string {
    return `${address}\u0000${createHmac('sha256', this.secret).update(password).digest('base64')}`;
  }

  /** True when this pair was verified against `currentHash` within the TTL. */
  has(address: string, password: string, currentHash: string): boolean {
    const k = this.key(address, password);
    const e = this.entries.get(k);
    if (!e) return false;
    if (e.expires < this.now() || e.passwordHash !== currentHash) {
      this.entries.delete(k);
      return false;
    }
    return true;
  }

  remember(address: string, password: string, passwordHash: string): void {
    if (this.entries.size >= MAX_ENTRIES)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(this.key(address, password), {
      passwordHash,
      expires: this.now() + this.ttlMs,
    });
  }
}
