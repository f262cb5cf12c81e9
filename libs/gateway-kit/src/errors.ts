/**
 * Typed errors of the gateway layer. Every failure a caller may want to react to has
 * its own class and a stable `code`, so the queue and the router can decide between
 * "retry elsewhere", "retry later" and "give up" without parsing messages.
 */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration object for a link is missing a field or has a wrong value. */
export class LinkConfigError extends GatewayError {
  constructor(
    readonly linkId: string,
    readonly field: string,
    problem: string,
  ) {
    super('LINK_CONFIG', `link ${linkId || '(no id)'}: ${field} ${problem}`);
  }
}

/** The destination (or source) is not a usable phone number. */
export class InvalidPhoneNumberError extends GatewayError {
  constructor(readonly number: string) {
    super('INVALID_NUMBER', `not a valid phone number: ${JSON.stringify(number)}`);
  }
}

/** The text holds a character the chosen (or only allowed) encoding cannot carry. */
export class UnencodableTextError extends GatewayError {
  constructor(
    readonly encoding: string,
    readonly character: string,
    readonly index: number,
  ) {
    const cp = character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? '?';
    super('UNENCODABLE_TEXT', `U+${cp} at index ${index} cannot be encoded as ${encoding}`);
  }
}

/** The link is not connected: nothing was sent, another link may be tried at once. */
export class LinkDownError extends GatewayError {
  constructor(
    readonly linkId: string,
    detail = 'not connected',
  ) {
    super('LINK_DOWN', `link ${linkId}: ${detail}`);
  }
}

/**
 * The carrier refused a segment. `acceptedIds` lists the segments it had already
 * accepted for the same message: when that list is not empty, sending the whole
 * message again elsewhere would deliver those parts twice.
 */
export class SubmitRefusedError extends GatewayError {
  constructor(
    readonly linkId: string,
    readonly carrierCode: number,
    readonly reason: string,
    readonly retryable: boolean,
    readonly acceptedIds: readonly string[] = [],
  ) {
    super(
      'SUBMIT_REFUSED',
      `link ${linkId}: carrier refused the message (${carrierCode}: ${reason})`,
    );
  }
}

/**
 * Some segments of a long message were accepted, then sending the rest failed. Not a
 * case for failing over: the accepted parts would arrive twice.
 */
export class PartialSubmitError extends GatewayError {
  constructor(
    readonly linkId: string,
    readonly acceptedIds: readonly string[],
    readonly failure: Error,
  ) {
    super(
      'PARTIAL_SUBMIT',
      `link ${linkId}: ${acceptedIds.length} segment(s) accepted, then: ${failure.message}`,
    );
  }
}

/** No response came for a request within its time-out (after the allowed resends). */
export class RequestTimeoutError extends GatewayError {
  constructor(
    readonly sequenceId: number,
    readonly timeoutMs: number,
  ) {
    super('REQUEST_TIMEOUT', `no response to sequence ${sequenceId} within ${timeoutMs} ms`);
  }
}

/** The connection closed while a request was waiting for its response. */
export class ConnectionLostError extends GatewayError {
  constructor(readonly sequenceId: number) {
    super('CONNECTION_LOST', `connection lost while sequence ${sequenceId} was in flight`);
  }
}

/** Bytes received from a peer do not form a valid PDU. */
export class PduDecodeError extends GatewayError {
  constructor(
    readonly reason: 'truncated' | 'bad-length' | 'unknown-command' | 'bad-field',
    message: string,
  ) {
    super(`PDU_${reason.toUpperCase().replace('-', '_')}`, message);
  }
}

/** A value does not fit the fixed-width field the protocol gives it. */
export class FieldEncodeError extends GatewayError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('FIELD_ENCODE', `${field}: ${problem}`);
  }
}

/** A long-message header (UDH) in inbound content is malformed. */
export class UdhError extends GatewayError {
  constructor(problem: string) {
    super('BAD_UDH', `user data header: ${problem}`);
  }
}

/** Every candidate link refused or was down. `attempts` says what each one answered. */
export class NoRouteError extends GatewayError {
  constructor(
    readonly destination: string,
    readonly attempts: readonly { linkId: string; error: Error }[],
  ) {
    const tried = attempts.map((a) => `${a.linkId}: ${a.error.message}`).join('; ');
    super(
      'NO_ROUTE',
      attempts.length
        ? `no link could take the message for ${destination} (${tried})`
        : `no link serves ${destination}`,
    );
  }
}
