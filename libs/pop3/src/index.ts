/** @dizi/pop3: the POP3 server (RFC 1939 with CAPA, UIDL, TOP, SASL PLAIN, STLS). */
export { Pop3Server, type Pop3ServerOptions } from './server/pop3-server';
export { Pop3Session } from './session/pop3-session';
export type { Pop3Transport } from './session/pop3-transport';
export type { Pop3Authenticator, Pop3SessionSettings } from './session/session-context';
