import type { Socket } from 'node:net';
import type { LinkLogger } from '../link-logger';
import type { FrameEvent } from './length-prefixed-decoder';
import { PduSocket, SocketClosedError, type StreamDecoder } from './pdu-socket';

export interface PduChannelEvents<P> {
  pdu(pdu: P): void;
  /** A packet with a sound length whose content could not be decoded (skipped). */
  badPacket(event: Extract<FrameEvent<P>, { kind: 'bad-packet' }>): void;
  /** Called once when the connection has closed; `reason` says why when known. */
  closed(reason: Error | undefined): void;
}

export interface PduCodec<P> {
  protocol: string;
  createDecoder(): StreamDecoder<FrameEvent<P>>;
  encode(pdu: P): Buffer;
}

/**
 * A connection carrying one protocol's PDUs in either direction: decoded PDUs in,
 * encoded PDUs out. A broken stream (fatal framing error) or a failing handler closes
 * it with a reason; nothing is thrown out of a socket callback.
 */
export class PduChannel<P> {
  private constructor(
    private readonly socket: PduSocket<FrameEvent<P>>,
    private readonly codec: PduCodec<P>,
  ) {}

  static async open<P>(
    options: { host: string; port: number; timeoutMs: number; logger: LinkLogger },
    codec: PduCodec<P>,
    events: PduChannelEvents<P>,
  ): Promise<PduChannel<P>> {
    // The handlers only run after `open` resolved, so `socket` is set by then.
    const socket: PduSocket<FrameEvent<P>> = await PduSocket.open(
      options,
      codec.createDecoder(),
      socketEvents(codec, events, options.logger, () => socket),
    );
    return new PduChannel(socket, codec);
  }

  /** Wraps a socket a listener accepted. */
  static accept<P>(
    raw: Socket,
    codec: PduCodec<P>,
    events: PduChannelEvents<P>,
    logger: LinkLogger,
  ): PduChannel<P> {
    const socket: PduSocket<FrameEvent<P>> = new PduSocket(
      raw,
      codec.createDecoder(),
      socketEvents(codec, events, logger, () => socket),
    );
    return new PduChannel(socket, codec);
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  get whenClosed(): Promise<void> {
    return this.socket.whenClosed;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress;
  }

  /** Writes a PDU; a closed connection is a {@link SocketClosedError}. */
  send(pdu: P): void {
    if (this.closed) throw new SocketClosedError();
    this.socket.write(this.codec.encode(pdu));
  }

  close(): void {
    this.socket.close();
  }

  destroy(reason: Error): void {
    this.socket.destroy(reason);
  }
}

function socketEvents<P>(
  codec: PduCodec<P>,
  events: PduChannelEvents<P>,
  logger: LinkLogger,
  socket: () => PduSocket<FrameEvent<P>>,
) {
  return {
    event: (event: FrameEvent<P>) => {
      if (event.kind === 'pdu') events.pdu(event.pdu);
      else if (event.kind === 'bad-packet') events.badPacket(event);
      else socket().destroy(event.error);
    },
    closed: (reason: Error | undefined) => events.closed(reason),
    onHandlerError: (error: unknown) =>
      logger.error({ err: error }, `${codec.protocol} handler failed; closing the connection`),
  };
}
