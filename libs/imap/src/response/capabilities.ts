/** What a session may announce depends on its state; see `capabilities()`. */
export interface CapabilityContext {
  /** The connection is encrypted (implicit TLS or after STARTTLS). */
  readonly secure: boolean;
  /** The server has a certificate, so STARTTLS can be offered. */
  readonly tlsAvailable: boolean;
  /** Plaintext passwords are refused on unencrypted connections. */
  readonly requireTlsForAuth: boolean;
  readonly authenticated: boolean;
  /** COMPRESS is offered only once, and not after it was started. */
  readonly compressed: boolean;
  /** Largest message APPEND takes (RFC 7889 APPENDLIMIT), so clients need not try bigger. */
  readonly appendLimit: number;
}

/**
 * The extensions Dizi implements. The whole list is announced before login as well
 * (iOS Mail decides from the greeting which features to use).
 */
const EXTENSIONS = [
  'LITERAL+',
  'SASL-IR',
  'ID',
  'ENABLE',
  'IDLE',
  'NAMESPACE',
  'UNSELECT',
  'CHILDREN',
  'UIDPLUS',
  'MOVE',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'STATUS=SIZE',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE',
  'CONDSTORE',
  'QRESYNC',
];

export function capabilities(context: CapabilityContext): string[] {
  const list = ['IMAP4rev1', ...EXTENSIONS, `APPENDLIMIT=${context.appendLimit}`];
  if (!context.authenticated) {
    if (context.tlsAvailable && !context.secure) list.push('STARTTLS');
    if (context.requireTlsForAuth && !context.secure) list.push('LOGINDISABLED');
    else list.push('AUTH=PLAIN');
  }
  if (!context.compressed) list.push('COMPRESS=DEFLATE');
  return list;
}
