import { Socket, connect } from 'node:net';
import { GatewayError } from '../errors';

/** Turns a byte stream into protocol events (PDUs, skipped packets, fatal framing errors). */
export interface StreamDecoder<E> {
  push(chunk: Buffer): E[];
}

export interface PduSocketEvents<E> {
  /** One decoded event; a throw here is logged by the caller's `onHandlerError` and closes the socket. */
  event(event: E): void;
  /** Called once when the socket has closed; `reason` says why when known. */
  closed(reason: Error | undefined): void;
  onHandlerError(error: unknown): void;
}

/** Writing to a socket that has closed. */
export class SocketClosedError extends GatewayError {
  constructor() {
    super('SOCKET_CLOSED', 'the connection is closed');
  }
}

/**
 * A TCP socket carrying PDUs, shared by the carrier protocols: it feeds a decoder,
 * hands out its events and never lets an exception escape a socket callback.
 */
export class PduSocket<E> {
  private closeReason: Error | undefined;
  private isClosed = false;
  readonly whenClosed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly decoder: StreamDecoder<E>,
    private readonly events: PduSocketEvents<E>,
  ) {
    socket.setNoDelay(true);
    let markClosed!: () => void;
    this.whenClosed = new Promise((resolve) => (markClosed = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      this.closeReason ??= error;
    });
    socket.on('close', () => {
      this.isClosed = true;
      markClosed();
      this.events.closed(this.closeReason);
    });
  }

  /** Opens a TCP connection; rejects on refusal or after `timeoutMs`. */
  static open<E>(
    options: { host: string; port: number; timeoutMs: number },
    decoder: StreamDecoder<E>,
    events: PduSocketEvents<E>,
  ): Promise<PduSocket<E>> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new Error(
            `TCP connect to ${options.host}:${options.port} timed out after ${options.timeoutMs} ms`,
          ),
        );
      }, options.timeoutMs);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new PduSocket(socket, decoder, events));
      });
    });
  }

  get closed(): boolean {
    return this.isClosed || this.socket.destroyed;
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** Writes bytes; a closed socket is a {@link SocketClosedError}. */
  write(bytes: Buffer): void {
    if (this.closed) throw new SocketClosedError();
    this.socket.write(bytes);
  }

  /** Ends the connection after what was written has gone out. */
  close(): void {
    if (!this.closed) this.socket.end();
  }

  destroy(reason: Error): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      try {
        this.events.event(event);
      } catch (error) {
        // A handler bug must not take the process down: report it and drop the connection.
        this.events.onHandlerError(error);
        this.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
  }
}
