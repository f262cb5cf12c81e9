/**
 * The "MMDDHHMMSS" timestamp CMPP CONNECT, SMGP Login and SGIP sequence numbers carry:
 * local time as ten digits, sent as a decimal u32 (so January loses its leading zero
 * on the wire, while authenticators hash all ten digits).
 */
export function carrierTimestamp(date: Date): number {
  const two = (n: number) => String(n).padStart(2, '0');
  return Number(
    two(date.getMonth() + 1) +
      two(date.getDate()) +
      two(date.getHours()) +
      two(date.getMinutes()) +
      two(date.getSeconds()),
  );
}

/** The ten digits of a timestamp, leading zero kept. */
export function carrierTimestampText(timestamp: number): string {
  return String(timestamp).padStart(10, '0');
}
