/** Types shared by the outbound delivery pieces; no logic here. */

/** opportunistic: STARTTLS when offered, plain text otherwise; required: never plain. */
export type OutboundTlsPolicy = 'opportunistic' | 'required';

/** never: direct only; on-failure: smart host for what direct delivery deferred; always: smart host only. */
export type SmartHostMode = 'never' | 'on-failure' | 'always';

export interface SmartHost {
  host: string;
  port: number;
  /** true: implicit TLS (port 465 style); false: STARTTLS when offered. */
  secure: boolean;
  auth?: { user: string; pass: string };
}

export interface DeliveryTimeouts {
  /** TCP connect, per address tried. */
  connectMs: number;
  /** From TCP connect to the 220 greeting (RFC 5321 4.5.3.2.1 suggests 5 minutes). */
  greetingMs: number;
  /** Inactivity while waiting for any later reply, including the one after DATA. */
  socketMs: number;
}

export const DEFAULT_DELIVERY_TIMEOUTS: DeliveryTimeouts = {
  connectMs: 30_000,
  greetingMs: 120_000,
  socketMs: 300_000,
};

export interface DeliveryRequest {
  /** Destination domain; every recipient must be in it (one delivery per domain). */
  domain: string;
  /** Envelope sender; '' for the null sender of a bounce. */
  sender: string;
  recipients: string[];
  /** The raw message, or the path of a file holding it (streamed, read once per attempt). */
  message: Buffer | string;
  /** Our name in EHLO. */
  heloName: string;
  tls: OutboundTlsPolicy;
  /** Verify the receiver's certificate when TLS is required (off by default, like Postfix's "encrypt" level). */
  verifyCertificates?: boolean;
  /** Extra trust anchors (PEM) for verifyCertificates, e.g. a private CA. */
  trustedCa?: string | Buffer;
  smartHost?: SmartHost;
  smartHostMode: SmartHostMode;
  timeouts?: Partial<DeliveryTimeouts>;
}

export type RecipientStatus = 'delivered' | 'deferred' | 'failed';

export interface RecipientResult {
  recipient: string;
  status: RecipientStatus;
  /** Basic SMTP code from the remote server; null when none was received (network, DNS). */
  code: number | null;
  /** Enhanced status code (RFC 3463), always set: from the server or chosen locally. */
  enhancedCode: string;
  /** What happened, suitable for logs and the DSN's human part. */
  message: string;
  /** The remote server's reply (for Diagnostic-Code), when one was received. */
  remoteResponse: string | null;
  /** Name of the server that gave the answer (MX name, route or smart host); null if none answered. */
  remoteHost: string | null;
  /** address:port that gave the answer, null if none answered. */
  remoteAddress: string | null;
  /** true when the message went through the smart host. */
  viaSmartHost: boolean;
}
