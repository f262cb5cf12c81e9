/** Result / ErrorCode values (PROTOCOLS.md §2.3, marked unverified there). */
const RESULT_TEXT: Record<number, string> = {
  0: 'ok',
  1: 'illegal login',
  2: 'repeated login',
  3: 'too many connections',
  4: 'wrong login type',
  5: 'parameter format error',
  6: 'illegal mobile number',
  7: 'message id error',
  8: 'message length error',
  9: 'illegal sequence number',
};

export function sgipResultText(result: number): string {
  return RESULT_TEXT[result] ?? `other error ${result}`;
}

/** Only congestion-like answers are worth sending again; SGIP has no flow-control code, so none. */
export function isRetryableSgipResult(result: number): boolean {
  return result === 3;
}

/** Report State → delivery state: 0 delivered, 1 waiting, 2 failed. */
export function sgipReportState(
  state: number,
): 'delivered' | 'accepted' | 'undeliverable' | 'unknown' {
  return state === 0
    ? 'delivered'
    : state === 1
      ? 'accepted'
      : state === 2
        ? 'undeliverable'
        : 'unknown';
}
