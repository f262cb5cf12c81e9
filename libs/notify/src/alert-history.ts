import { DiziError } from '@dizi/errors';
import { AlertState, DirectoryRepository, NotifyRepository } from '@dizi/store';

/** One alert as the admin API and `dizi alert history` show it. */
export interface AlertHistoryEntry {
  id: number;
  ruleId: number;
  /** The mailbox message (messages.id) it announces. */
  messageId: number;
  state: AlertState;
  text: string;
  from: string;
  phone: string;
  smsId: string | null;
  error: string | null;
  /** When it was decided. */
  createdAt: string;
  queuedAt: string | null;
  submittedAt: string | null;
  /** When it became delivered or failed. */
  finishedAt: string | null;
}

/** A user's alerts, newest first (at most `limit`, up to 1000). */
export async function alertHistory(
  repo: NotifyRepository,
  users: DirectoryRepository,
  address: string,
  limit = 50,
): Promise<AlertHistoryEntry[]> {
  const user = await users.findUser(
    String(address ?? '')
      .trim()
      .toLowerCase(),
  );
  if (!user) throw new DiziError('not-found', `no user ${address}`, 'address');
  const take = Math.max(1, Math.min(1000, Math.trunc(limit) || 50));
  return (await repo.alerts(user.id, take)).map((a) => ({
    id: a.id,
    ruleId: a.ruleId,
    messageId: a.messageId,
    state: a.state,
    text: a.text,
    from: a.fromAddress,
    phone: a.phoneNumber,
    smsId: a.smsId,
    error: a.error,
    createdAt: iso(a.createdAt)!,
    queuedAt: iso(a.queuedAt),
    submittedAt: iso(a.submittedAt),
    finishedAt: iso(a.finishedAt),
  }));
}

function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}
