/**
 * Typed errors of outbound delivery. Each carries what the queue needs to decide:
 * permanent (bounce now) or not (try again later), and an enhanced status code for the DSN.
 */

/** The destination cannot be found or refuses mail by DNS (null MX, no such domain, DNS down). */
export class MxLookupError extends Error {
  override readonly name = 'MxLookupError';
  constructor(
    message: string,
    readonly domain: string,
    /** true: retrying will not help (NXDOMAIN, null MX); false: DNS trouble, try later. */
    readonly permanent: boolean,
    /** RFC 3463 code for the DSN, e.g. 5.1.10 for a null MX (RFC 7505). */
    readonly enhancedCode: string,
  ) {
    super(message);
  }
}

/** A route table entry that is not `host`, `host:port` or `[ipv6]:port`. */
export class InvalidRouteError extends Error {
  override readonly name = 'InvalidRouteError';
  constructor(
    readonly pattern: string,
    readonly target: string,
  ) {
    super(
      `delivery route "${pattern}" -> "${target}" is not valid: write "host", "host:port" or "[ipv6]:port" with a port from 1 to 65535`,
    );
  }
}

/** The delivery request contradicts itself, e.g. smart host mode without a smart host. */
export class DeliveryConfigError extends Error {
  override readonly name = 'DeliveryConfigError';
}

/** The queued message cannot be read (missing or unreadable spool file): a local fault. */
export class MessageUnreadableError extends Error {
  override readonly name = 'MessageUnreadableError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(
      `cannot read the queued message ${path}: ${cause instanceof Error ? cause.message : String(cause)}; check the blob store`,
      { cause },
    );
  }
}
