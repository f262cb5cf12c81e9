import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import * as zlib from 'node:zlib';
import type { SessionTransport } from '../session/session-transport';

/** Above this many queued bytes `write` reports back-pressure. */
const HIGH_WATER_MARK = 1024 * 1024;
/**
 * Collected responses go to the socket at once when they reach this size, without
 * waiting for the end of the tick: a FETCH of thousands of messages from cached or
 * small files runs for many milliseconds without yielding, and the client can parse the
 * first responses (on another core) while the server builds the rest.
 */
const EAGER_FLUSH_BYTES = 64 * 1024;

/**
 * A session's connection on a TCP or TLS socket, with the two upgrades IMAP allows in
 * the middle of a connection: STARTTLS (the socket is wrapped in TLS) and COMPRESS
 * (RFC 4978: raw DEFLATE both ways, flushed after every write so replies are not held).
 */
export class SocketTransport implements SessionTransport {
  readonly remoteAddress: string;
  private socket: Socket;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private inflate?: zlib.InflateRaw;
  private deflate?: zlib.DeflateRaw;
  private readonly onSocketData = (chunk: Buffer): void => {
    if (this.inflate) this.inflate.write(chunk);
    else this.onData(chunk);
  };

  constructor(
    socket: Socket,
    readonly secure: boolean,
    private readonly onData: (chunk: Buffer) => void,
    private readonly onClose: () => void,
    private readonly secureContext?: SecureContext,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onSocketData);
    socket.once('close', this.onClose);
    socket.on('error', () => socket.destroy());
  }

  /**
   * Responses written in the same tick go out as one chunk: a FETCH of thousands of
   * messages then costs few socket writes, and one DEFLATE flush instead of one per line.
   */
  write(data: Buffer): boolean {
    if (this.socket.destroyed) return true;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= EAGER_FLUSH_BYTES) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return this.socket.writableLength + this.pendingBytes < HIGH_WATER_MARK;
  }

  /** Sends what `write` collected; also called before TLS, compression or close start. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.socket.destroyed) return;
    const data =
      this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.deflate) {
      this.deflate.write(data);
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    } else {
      this.socket.write(data);
    }
  }

  waitForDrain(): Promise<void> {
    this.flush();
    if (this.socket.writableLength < HIGH_WATER_MARK || this.socket.destroyed)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  pauseInput(): void {
    this.socket.pause();
    // Decompressed input can be far larger than what was received: hold it back too.
    this.inflate?.pause();
  }

  resumeInput(): void {
    this.socket.resume();
    this.inflate?.resume();
  }

  startTls(): Promise<void> {
    this.flush();
    const plain = this.socket;
    plain.off('data', this.onSocketData);
    plain.off('close', this.onClose);
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.secureContext });
    this.socket = secure;
    this.attach(secure);
    return new Promise((resolve, reject) => {
      secure.once('secure', () => resolve());
      secure.once('error', reject);
    });
  }

  startCompression(): void {
    this.flush();
    this.inflate = zlib.createInflateRaw();
    this.deflate = zlib.createDeflateRaw({ level: zlib.constants.Z_DEFAULT_COMPRESSION });
    this.inflate.on('data', (chunk: Buffer) => this.onData(chunk));
    this.inflate.on('error', () => this.socket.destroy());
    this.deflate.on('data', (chunk: Buffer) => {
      if (!this.socket.destroyed) this.socket.write(chunk);
    });
  }

  close(): void {
    this.flush();
    if (this.deflate) {
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => this.socket.end());
    } else {
      this.socket.end();
    }
    // A client that does not close its side is cut off.
    setTimeout(() => this.socket.destroy(), 2_000).unref();
  }
}
