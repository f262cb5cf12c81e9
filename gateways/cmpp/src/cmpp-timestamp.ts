/**
 * The "MMDDHHMMSS" timestamp of CONNECT: ten ASCII digits in the authenticator and
 * the same digits as a decimal u32 in the Timestamp field.
 */
export function cmppTimestamp(date: Date): number {
  const two = (n: number) => String(n).padStart(2, '0');
  const text =
    two(date.getMonth() + 1) +
    two(date.getDate()) +
    two(date.getHours()) +
    two(date.getMinutes()) +
    two(date.getSeconds());
  return Number(text);
}

/** Ten digits, with the leading zero of January to September kept. */
export function cmppTimestampText(timestamp: number): string {
  return String(timestamp).padStart(10, '0');
}
