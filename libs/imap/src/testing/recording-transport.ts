import type { SessionTransport } from '../session/session-transport';

/**
 * TEST DOUBLE. A `SessionTransport` that records what the session writes, so session
 * logic can be tested without sockets; the socket transport has its own e2e tests.
 */
export class RecordingTransport implements SessionTransport {
  readonly remoteAddress = '127.0.0.1';
  readonly written: Buffer[] = [];
  closed = false;
  paused = false;
  tlsStarted = false;
  compressionStarted = false;
  private waiters: (() => void)[] = [];

  constructor(readonly secure = false) {}

  write(data: Buffer): boolean {
    this.written.push(data);
    for (const waiter of this.waiters.splice(0)) waiter();
    return true;
  }

  async waitForDrain(): Promise<void> {}

  pauseInput(): void {
    this.paused = true;
  }

  resumeInput(): void {
    this.paused = false;
  }

  async startTls(): Promise<void> {
    this.tlsStarted = true;
  }

  startCompression(): void {
    this.compressionStarted = true;
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Everything written so far, as text; `take` also forgets it. */
  text(): string {
    return Buffer.concat(this.written).toString('utf8');
  }

  take(): string {
    const text = this.text();
    this.written.length = 0;
    return text;
  }

  /** Resolves once the written text matches `pattern` (or the session closed). */
  async until(pattern: RegExp, timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text())) {
      if (this.closed) break;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`Timed out waiting for ${pattern}; got ${JSON.stringify(this.text())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.take();
  }
}
