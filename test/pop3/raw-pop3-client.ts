import * as net from 'node:net';
import * as tls from 'node:tls';

/** A byte-level POP3 client for tests: writes raw lines and waits for what comes back. */
export class RawPop3Client {
  private received = '';
  private closed = false;
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.received += text;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, implicitTls = false): Promise<RawPop3Client> {
    return new Promise((resolve, reject) => {
      const socket = implicitTls
        ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () =>
            resolve(new RawPop3Client(socket)),
          )
        : net.connect({ host: '127.0.0.1', port }, () => resolve(new RawPop3Client(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  /** Resolves with (and forgets) what was received once it matches, or the server closed. */
  async until(pattern: RegExp, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.received) && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`Timed out waiting for ${pattern}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  /** Waits for the server to close; resolves with what it sent until then. */
  closedByServer(timeoutMs = 3000): Promise<string> {
    return this.until(/(?!)/, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
