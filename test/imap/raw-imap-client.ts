import * as net from 'node:net';
import * as tls from 'node:tls';
import * as zlib from 'node:zlib';

/**
 * A byte-level IMAP client for the end-to-end tests: sends exactly what the test says
 * and collects exactly what the server answers, so responses can be checked to the byte.
 */
export class RawImapClient {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private socket: net.Socket;
  private inflate?: zlib.InflateRaw;
  private deflate?: zlib.DeflateRaw;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  static connect(port: number, options: { tls?: boolean } = {}): Promise<RawImapClient> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
        : net.connect({ host: '127.0.0.1', port });
      socket.once(options.tls ? 'secureConnect' : 'connect', () =>
        resolve(new RawImapClient(socket)),
      );
      socket.once('error', reject);
    });
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      if (this.inflate) this.inflate.write(chunk);
      else this.push(chunk);
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  private push(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  send(data: string | Buffer): void {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    if (this.deflate) {
      this.deflate.write(bytes);
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    } else {
      this.socket.write(bytes);
    }
  }

  /** Waits until the received text matches `pattern`; returns and consumes everything up to the end of that match. */
  async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.received.toString('latin1');
      const match = pattern.exec(text);
      if (match) {
        const end = match.index + match[0].length;
        const taken = this.received.subarray(0, end);
        this.received = this.received.subarray(end);
        return taken.toString('utf8');
      }
      if (this.closed)
        throw new Error(
          `Connection closed while waiting for ${pattern}; got ${JSON.stringify(text)}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `Timed out waiting for ${pattern}; got ${JSON.stringify(text.slice(0, 2000))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends `tag command` and returns everything up to and including the tagged answer. */
  async command(tag: string, command: string | Buffer): Promise<string> {
    this.send(
      Buffer.concat([
        Buffer.from(`${tag} `),
        Buffer.isBuffer(command) ? command : Buffer.from(command),
        Buffer.from('\r\n'),
      ]),
    );
    return this.waitFor(
      new RegExp(
        `(^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (OK|NO|BAD)[^\\r\\n]*\\r\\n`,
      ),
    );
  }

  /** Everything received and not consumed yet. */
  pending(): string {
    return this.received.toString('utf8');
  }

  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
  }

  startCompression(): void {
    this.inflate = zlib.createInflateRaw();
    this.deflate = zlib.createDeflateRaw();
    this.inflate.on('data', (chunk: Buffer) => this.push(chunk));
    this.deflate.on('data', (chunk: Buffer) => this.socket.write(chunk));
  }

  close(): void {
    this.socket.destroy();
  }
}
