/** The connection a session talks over; the server implements it on a socket. */
export interface SessionTransport {
  readonly remoteAddress: string;
  /** True for implicit TLS; the session tracks STARTTLS itself. */
  readonly secure: boolean;
  /** Queues bytes for the client; false when the send buffer is full. */
  write(data: Buffer): boolean;
  /** Resolves when the send buffer has room again. */
  waitForDrain(): Promise<void>;
  /** Stops/starts reading from the client (back-pressure on pipelined commands). */
  pauseInput(): void;
  resumeInput(): void;
  /** Upgrades the connection to TLS (after the STARTTLS OK went out). */
  startTls(): Promise<void>;
  /** Switches both directions to raw DEFLATE (after the COMPRESS OK went out). */
  startCompression(): void;
  close(): void;
}
