import type { FolderSnapshot } from '@dizi/imap';

export interface MaildropMessage {
  /** 1-based, fixed for the session (RFC 1939 5). */
  readonly number: number;
  readonly uid: number;
  /** Octets RETR sends before dot-stuffing: the stored size (messages are stored with CRLF). */
  readonly size: number;
  /** RFC 1939 7 unique-id: stays the same across sessions while the UIDVALIDITY does. */
  readonly uniqueId: string;
}

export type MessageLookup =
  | { readonly found: true; readonly message: MaildropMessage }
  | { readonly found: false; readonly reason: string };

/**
 * The messages of INBOX as they were at login, with this session's deletion marks.
 * POP3 numbers messages once per session, so the snapshot is never refreshed: mail that
 * arrives later is seen by the next session, and a message another session removes
 * meanwhile keeps its number here (reading it then fails, see RETR).
 */
export class Maildrop {
  private readonly messages: readonly MaildropMessage[];
  private readonly deleted = new Set<number>();

  constructor(snapshot: FolderSnapshot) {
    this.messages = snapshot.messages.map((state, index) => ({
      number: index + 1,
      uid: state.uid,
      size: state.size,
      uniqueId: `${snapshot.uidValidity}.${state.uid}`,
    }));
  }

  /** The UIDs of every message of the session, deleted ones included. */
  uids(): number[] {
    return this.messages.map((message) => message.uid);
  }

  /** Messages not marked deleted, in number order. */
  visible(): MaildropMessage[] {
    return this.messages.filter((message) => !this.deleted.has(message.number));
  }

  /** STAT: count and total size of the messages not marked deleted. */
  totals(): { readonly count: number; readonly octets: number } {
    let count = 0;
    let octets = 0;
    for (const message of this.visible()) {
      count++;
      octets += message.size;
    }
    return { count, octets };
  }

  /** A message by number; deleted ones are refused like missing ones (RFC 1939 5). */
  lookup(number: number): MessageLookup {
    const message = this.messages[number - 1];
    if (!Number.isInteger(number) || number < 1 || !message)
      return { found: false, reason: 'No such message' };
    if (this.deleted.has(number)) return { found: false, reason: `Message ${number} is deleted` };
    return { found: true, message };
  }

  markDeleted(number: number): void {
    this.deleted.add(number);
  }

  /** RSET. */
  unmarkAll(): void {
    this.deleted.clear();
  }

  /** UIDs to remove when the session enters the UPDATE state. */
  deletedUids(): number[] {
    return this.messages
      .filter((message) => this.deleted.has(message.number))
      .map((message) => message.uid);
  }
}
