/** Counts open connections per remote address, to refuse one address hogging the server. */
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Counts a new connection in; false (and not counted) when the address is at its limit. */
  tryAcquire(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (count >= this.limit) return false;
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = this.open.get(address) ?? 0;
    if (count <= 1) this.open.delete(address);
    else this.open.set(address, count - 1);
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
