import type { MailboxAccess } from '../mailbox-access';
import type { SelectedFolder } from './selected-folder';

export type SessionPhase = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

/** Everything a command may read or change about its session. */
export interface SessionState {
  phase: SessionPhase;
  user?: string;
  access?: MailboxAccess;
  selected?: SelectedFolder;
  /** Extensions turned on by ENABLE or implicitly (CONDSTORE by its first use). */
  readonly enabled: Set<'CONDSTORE' | 'QRESYNC'>;
  secure: boolean;
  compressed: boolean;
  /** A change event arrived for the selected folder since the last update. */
  selectedDirty: boolean;
  readonly remoteAddress: string;
  /** Failed LOGIN/AUTHENTICATE attempts on this connection. */
  failedLogins: number;
}
