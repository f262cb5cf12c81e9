/** The connection a POP3 session talks over; the server implements it on a socket. */
export interface Pop3Transport {
  readonly remoteAddress: string;
  /** True for implicit TLS; the session tracks STLS itself. */
  readonly secure: boolean;
  /** Queues bytes for the client; false when the send buffer is full. */
  write(data: Buffer): boolean;
  /** Resolves when the send buffer has room again (or the connection is gone). */
  waitForDrain(): Promise<void>;
  /** Stops/starts reading from the client (back-pressure on pipelined commands). */
  pauseInput(): void;
  resumeInput(): void;
  /** Upgrades the connection to TLS, after the STLS +OK went out. */
  startTls(): Promise<void>;
  close(): void;
}
