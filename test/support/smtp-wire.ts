import { connect, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One SMTP reply: its code and every line of text (multi-line replies joined). */
export interface SmtpReply {
  code: number;
  /** The text after the code of each line, joined with `\n`. */
  text: string;
  /** The reply as received, latin1-decoded, lines joined with `\n`. */
  raw: string;
}

/** Thrown when the server closes the connection while a reply is awaited. */
export class SmtpClosedError extends Error {
  override name = 'SmtpClosedError';
}

interface Waiter {
  resolve(r: SmtpReply): void;
  reject(err: Error): void;
}

/**
 * A byte-level SMTP client over a raw `node:net` socket, for tests that need to send
 * what no well-behaved client library would (bare LF, 8-bit bytes, huge lines, half a
 * message). Replies are parsed as they arrive; `reply()` hands them out in order.
 */
export class SmtpWire {
  private buffer = '';
  private readonly replies: SmtpReply[] = [];
  private readonly waiters: Waiter[] = [];
  private closedFlag = false;
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>;

  private constructor(
    readonly socket: Socket,
    readonly banner: SmtpReply,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connects and waits for the greeting (any code: a 421 refusal is a reply too). */
  static async connect(port: number, timeoutMs = 10_000): Promise<SmtpWire> {
    const socket = connect(port, '127.0.0.1');
    const state = { buffer: '', replies: [] as SmtpReply[] };
    const banner = await new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no SMTP greeting on port ${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onData = (d: Buffer) => {
        state.buffer += d.toString('latin1');
        extractReplies(state);
        if (state.replies.length) {
          clearTimeout(timer);
          socket.off('data', onData);
          socket.off('error', onError);
          resolve(state.replies.shift()!);
        }
      };
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.on('data', onData);
      socket.once('error', onError);
    });
    const wire = new SmtpWire(socket, banner);
    wire.buffer = state.buffer;
    wire.replies.push(...state.replies);
    socket.on('data', (d: Buffer) => wire.onData(d));
    socket.on('error', () => undefined); // a reset shows as 'close'; waiters are rejected there
    socket.once('close', () => wire.onClose());
    return wire;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Writes bytes as they are (no line end added). */
  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** The next reply, in arrival order. Rejects if the server closes first. */
  reply(timeoutMs = 15_000): Promise<SmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closedFlag) return Promise.reject(new SmtpClosedError('connection closed'));
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no SMTP reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends one command line (CRLF added) and returns its reply. */
  command(line: string | Buffer, timeoutMs?: number): Promise<SmtpReply> {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'latin1') : line;
    this.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
    return this.reply(timeoutMs);
  }

  /**
   * One whole transaction: MAIL, RCPT for each recipient, DATA, the message (dot-stuffed
   * here, CRLF . CRLF added) and the final reply. Stops at the first refusal and returns it.
   */
  async sendMail(from: string, to: string[], message: string | Buffer): Promise<SmtpReply> {
    const mail = await this.command(`MAIL FROM:<${from}>`);
    if (mail.code !== 250) return mail;
    let accepted = 0;
    let lastRefusal: SmtpReply | null = null;
    for (const r of to) {
      const rcpt = await this.command(`RCPT TO:<${r}>`);
      if (rcpt.code === 250) accepted++;
      else lastRefusal = rcpt;
    }
    if (!accepted && lastRefusal) {
      await this.command('RSET');
      return lastRefusal;
    }
    const data = await this.command('DATA');
    if (data.code !== 354) return data;
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    this.write(dotStuff(bytes));
    // A message that ends with CRLF gets just the dot line; otherwise its last line is ended.
    this.write(bytes.subarray(-2).equals(Buffer.from('\r\n')) ? '.\r\n' : '\r\n.\r\n');
    return this.reply(60_000);
  }

  /** QUIT, then waits for the server to close (bounded); destroys the socket in any case. */
  async quit(): Promise<void> {
    if (!this.closedFlag) {
      this.write('QUIT\r\n');
      await Promise.race([this.closed, sleep(2000)]);
    }
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buffer += d.toString('latin1');
    const state = { buffer: this.buffer, replies: [] as SmtpReply[] };
    extractReplies(state);
    this.buffer = state.buffer;
    for (const r of state.replies) {
      const w = this.waiters.shift();
      if (w) w.resolve(r);
      else this.replies.push(r);
    }
  }

  private onClose(): void {
    this.closedFlag = true;
    for (const w of this.waiters.splice(0)) w.reject(new SmtpClosedError('connection closed'));
  }
}

/** Moves every complete reply out of `state.buffer` (a reply ends with a `NNN ` line). */
function extractReplies(state: { buffer: string; replies: SmtpReply[] }): void {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = state.buffer.indexOf('\n', start);
    if (nl < 0) break;
    const line = state.buffer.slice(start, nl).replace(/\r$/, '');
    start = nl + 1;
    lines.push(line);
    if (/^\d{3}(?: |$)/.test(line)) {
      state.replies.push({
        code: Number(line.slice(0, 3)),
        text: lines.map((l) => l.slice(4)).join('\n'),
        raw: lines.join('\n'),
      });
      lines.length = 0;
      state.buffer = state.buffer.slice(start);
      start = 0;
    }
  }
}

/** Doubles a leading dot on every line (RFC 5321 4.5.2) so the message cannot end DATA early. */
export function dotStuff(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  if (message[0] === 0x2e) parts.push(Buffer.from('.'));
  for (let i = message.indexOf(0x0a); i >= 0; i = message.indexOf(0x0a, i + 1)) {
    if (message[i + 1] === 0x2e) {
      parts.push(message.subarray(start, i + 1), Buffer.from('.'));
      start = i + 1;
    }
  }
  parts.push(message.subarray(start));
  return Buffer.concat(parts);
}

/** Polls `probe` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
