import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { Pop3Transport } from '../session/pop3-transport';

/** Above this many queued bytes `write` reports back-pressure. */
const HIGH_WATER_MARK = 256 * 1024;
/** A client that does not close its side after the server ended is cut off after this. */
const CLOSE_GRACE_MS = 2_000;

/** A session's connection on a TCP or TLS socket, with the STLS upgrade in the middle. */
export class SocketTransport implements Pop3Transport {
  readonly remoteAddress: string;
  private socket: Socket;

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
    socket.on('data', this.onData);
    socket.once('close', this.onClose);
    socket.on('error', () => socket.destroy());
  }

  write(data: Buffer): boolean {
    if (this.socket.destroyed) return true;
    this.socket.write(data);
    return this.socket.writableLength < HIGH_WATER_MARK;
  }

  waitForDrain(): Promise<void> {
    const socket = this.socket;
    if (socket.writableLength < HIGH_WATER_MARK || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  pauseInput(): void {
    this.socket.pause();
  }

  resumeInput(): void {
    this.socket.resume();
  }

  startTls(): Promise<void> {
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.secureContext });
    this.socket = secure;
    this.attach(secure);
    return new Promise((resolve, reject) => {
      secure.once('secure', () => resolve());
      secure.once('error', reject);
      secure.once('close', () => reject(new Error('Connection closed during TLS negotiation')));
    });
  }

  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }
}
