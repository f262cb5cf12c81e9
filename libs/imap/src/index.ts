/** @dizi/imap: the IMAP4rev1 server and its protocol building blocks. */
export * from './mailbox-access';
export { ImapServer, type ImapServerOptions } from './server/imap-server';
export { ImapSession, DEFAULT_SESSION_LIMITS, type SessionLimits } from './session/imap-session';
export type { SessionTransport } from './session/session-transport';
export { encodeMailboxName, decodeMailboxName } from './mailbox-name/modified-utf7';
export { parseMimeTree } from './mime/mime-tree';
export { bodyStructure } from './mime/body-structure';
export { InMemoryMailStore, InMemoryMailboxAccess } from './testing/in-memory-mailbox-access';
