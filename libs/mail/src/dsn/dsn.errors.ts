/** Typed errors of notices and bounces, each with a message that says what to fix. */

/**
 * A bounce was requested for a message whose envelope sender is null (`<>`). RFC 5321
 * 4.5.5 and RFC 3464: never answer a bounce with a bounce, or two servers loop forever.
 */
export class NullSenderDsnError extends Error {
  override readonly name = 'NullSenderDsnError';
  constructor() {
    super(
      'no delivery status notification is sent for a message with a null sender (<>): it is itself a bounce (RFC 5321 4.5.5); drop the notice instead',
    );
  }
}

/** A notice template is missing, malformed or asks for a value nobody provides. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** The file at fault, when there is one. */
    readonly file: string | null,
  ) {
    super(message);
  }
}

/** The DSN request itself is inconsistent (no recipients, a status of the wrong class...). */
export class InvalidDsnRequestError extends Error {
  override readonly name = 'InvalidDsnRequestError';
}
