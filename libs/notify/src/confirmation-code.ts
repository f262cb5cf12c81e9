import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** A fresh 6-digit code (a phone keypad types it; leading zeros kept). */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Six digits are no secret against someone holding the table; the hash only keeps live
 * codes out of backups, dumps and logs. The scope and user id tie a code to what it
 * confirms for whom.
 */
export function hashCode(scope: string, userId: number, code: string): string {
  return createHash('sha256').update(`dizi-${scope}:${userId}:${code}`).digest('hex');
}

/** Whether `code` is six digits whose hash is `stored` (compared in constant time). */
export function codeMatches(stored: string, scope: string, userId: number, code: string): boolean {
  const c = String(code ?? '').trim();
  if (!/^\d{6}$/.test(c)) return false;
  const x = Buffer.from(stored, 'hex');
  const y = Buffer.from(hashCode(scope, userId, c), 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
