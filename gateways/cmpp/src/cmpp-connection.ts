import { Socket, connect } from 'node:net';
import { ConnectionLostError, PduDecodeError, type LinkLogger } from '@dizi/gateway-kit';
import type { CmppVersion } from './cmpp-constants';
import { CmppFrameDecoder, type CmppFrameEvent } from './cmpp-frame-decoder';
import { encodeCmppPdu, type CmppPdu } from './cmpp-pdu';

export interface CmppConnectionEvents {
  pdu(pdu: CmppPdu): void;
  /** A packet with a sound length whose content could not be decoded (skipped). */
  badPacket(event: Extract<CmppFrameEvent, { kind: 'bad-packet' }>): void;
  /** The socket closed; `reason` says why when we know. Called exactly once. */
  closed(reason: Error | undefined): void;
}

/**
 * One TCP connection speaking CMPP: frames in, PDUs out. It never throws out of a
 * socket callback; a broken stream closes the connection with a reason.
 */
export class CmppConnection {
  private readonly decoder: CmppFrameDecoder;
  private closeReason: Error | undefined;
  private isClosed = false;

  private constructor(
    private readonly socket: Socket,
    private version: CmppVersion,
    private readonly events: CmppConnectionEvents,
    private readonly logger: LinkLogger,
  ) {
    this.decoder = new CmppFrameDecoder(version);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      this.closeReason ??= error;
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.events.closed(this.closeReason);
    });
  }

  /** Opens a TCP connection; rejects on refusal or after `timeoutMs`. */
  static open(
    options: {
      host: string;
      port: number;
      version: CmppVersion;
      timeoutMs: number;
      logger: LinkLogger;
    },
    events: CmppConnectionEvents,
  ): Promise<CmppConnection> {
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
        resolve(new CmppConnection(socket, options.version, events, options.logger));
      });
    });
  }

  get closed(): boolean {
    return this.isClosed || this.socket.destroyed;
  }

  setVersion(version: CmppVersion): void {
    this.version = version;
    this.decoder.setVersion(version);
  }

  /** Writes a PDU; a closed connection is a {@link ConnectionLostError}. */
  send(pdu: CmppPdu): void {
    if (this.closed) throw new ConnectionLostError(pdu.sequenceId);
    this.socket.write(encodeCmppPdu(pdu, this.version));
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
        if (event.kind === 'pdu') this.events.pdu(event.pdu);
        else if (event.kind === 'bad-packet') this.events.badPacket(event);
        else this.destroy(event.error);
      } catch (error) {
        // A handler bug must not take the process down: log it and drop the connection.
        this.logger.error({ err: error }, 'CMPP handler failed; closing the connection');
        this.destroy(
          error instanceof Error ? error : new PduDecodeError('bad-field', String(error)),
        );
      }
    }
  }
}
