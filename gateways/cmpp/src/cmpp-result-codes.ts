/** CONNECT_RESP Status (PROTOCOLS.md §1.3). */
export function connectStatusText(status: number): string {
  return (
    [
      'ok',
      'message structure error',
      'illegal source address',
      'authentication error',
      'version too high',
    ][status] ?? `other error ${status}`
  );
}

/** SUBMIT_RESP / DELIVER_RESP Result (PROTOCOLS.md §1.4; 9-13 are 3.0). */
const RESULT_TEXT = [
  'ok',
  'message structure error',
  'command word error',
  'duplicate sequence id',
  'message length error',
  'fee code error',
  'message too long',
  'service code error',
  'flow control error',
  'gateway does not serve this charge number',
  'Src_Id error',
  'Msg_src error',
  'Fee_terminal_Id error',
  'Dest_terminal_Id error',
];

export function submitResultText(result: number): string {
  return RESULT_TEXT[result] ?? `other error ${result}`;
}

/**
 * Whether the same segment may succeed if sent again later: flow control (8) is the
 * ISMG asking to slow down; a duplicate sequence (3) is our own numbering clash. The
 * rest describe the message or the account and will fail the same way again.
 */
export function isRetryableSubmitResult(result: number): boolean {
  return result === 8 || result === 3;
}

/** DELIVER_RESP Result we send when our side could not take the message ("other error"). */
export const DELIVER_RESULT_STRUCTURE_ERROR = 1;
export const DELIVER_RESULT_OTHER_ERROR = 9;
