import type { Pop3Transport } from '../session/pop3-transport';

/**
 * TEST DOUBLE. A `Pop3Transport` that records what the session writes, so the session
 * is tested without sockets; the socket transport is covered by the e2e suites.
 */
export class RecordingTransport implements Pop3Transport {
  readonly remoteAddress = '127.0.0.1';
  readonly written: Buffer[] = [];
  closed = false;
  paused = false;
  tlsStarted = false;
  /** When set, `write` reports a full buffer and `waitForDrain` waits for `drain()`. */
  congested = false;
  private drainWaiters: (() => void)[] = [];
  private writeWaiters: (() => void)[] = [];

  constructor(readonly secure = false) {}

  write(data: Buffer): boolean {
    this.written.push(data);
    for (const waiter of this.writeWaiters.splice(0)) waiter();
    return !this.congested;
  }

  waitForDrain(): Promise<void> {
    if (!this.congested) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The client took what was sent. */
  drain(): void {
    this.congested = false;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  pauseInput(): void {
    this.paused = true;
  }

  resumeInput(): void {
    this.paused = false;
  }

  async startTls(): Promise<void> {
    this.tlsStarted = true;
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.writeWaiters.splice(0)) waiter();
  }

  /** Everything written so far as latin1 text (byte for byte); `take` also forgets it. */
  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }

  take(): string {
    const text = this.text();
    this.written.length = 0;
    return text;
  }

  /** Resolves with (and forgets) the output once it matches `pattern`, or the session closed. */
  async until(pattern: RegExp, timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text())) {
      if (this.closed) break;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`Timed out waiting for ${pattern}; got ${JSON.stringify(this.text())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.writeWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.take();
  }
}
