/**
 * A failure a user can act on: a stable code, a message that says what to do, and the
 * field at fault when it came from input. The REST API maps it to an HTTP status; the
 * CLI prints the message.
 */
export class DiziError extends Error {
  override name = 'DiziError';
  constructor(
    readonly code: DiziErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export type DiziErrorCode = 'invalid' | 'not-found' | 'conflict' | 'forbidden' | 'unavailable';

const HTTP_STATUS: Record<DiziErrorCode, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
};
