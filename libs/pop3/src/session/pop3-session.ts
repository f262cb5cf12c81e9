import type { Logger } from 'pino';
import { COMMANDS } from '../commands/command-table';
import { parseCommandLine } from '../protocol/command-line';
import { LineReader, type LineEvent } from '../protocol/line-reader';
import { errLine, MULTILINE_END, okLine, type ResponseCode } from '../protocol/responses';
import type { Pop3Transport } from './pop3-transport';
import type { Pop3CommandContext, Pop3SessionSettings, Pop3SessionState } from './session-context';

/** Unread input above which the socket is paused until the session catches up. */
const INPUT_HIGH_WATER = 64 * 1024;
/** Multi-line answers are written in batches of about this size (few syscalls, bounded memory). */
const OUTPUT_BATCH = 64 * 1024;

/**
 * One POP3 connection's protocol engine: frames lines, parses, checks the state, runs
 * one command at a time in order (so PIPELINING needs nothing more), and writes the
 * answers with back-pressure. It knows nothing of sockets; `Pop3Server` gives it a
 * `Pop3Transport`.
 */
export class Pop3Session {
  readonly state: Pop3SessionState;
  private readonly reader = new LineReader();
  private readonly log: Logger;
  private closed = false;
  private inputPaused = false;
  private inputWaiter?: () => void;
  private idleTimer?: NodeJS.Timeout;
  private badCommands = 0;
  private pendingAction?: 'starttls' | 'close';
  private readonly context: Pop3CommandContext;

  constructor(
    private readonly transport: Pop3Transport,
    private readonly settings: Pop3SessionSettings,
  ) {
    this.state = {
      phase: 'authorization',
      secure: transport.secure,
      remoteAddress: transport.remoteAddress,
      failedLogins: 0,
      retrievedUids: new Set(),
    };
    this.log = settings.logger.child({ protocol: 'pop3', remoteAddress: transport.remoteAddress });
    this.context = this.createContext();
  }

  /** Sends the greeting and starts reading commands. */
  start(): void {
    this.write(okLine(`${this.settings.serverName} Dizi POP3 server ready`));
    this.idleTimer = setTimeout(() => this.autologout(), this.settings.idleTimeoutMs);
    this.idleTimer.unref();
    void this.commandLoop();
  }

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.reader.push(chunk);
    if (this.reader.bufferedBytes > INPUT_HIGH_WATER && !this.inputPaused) {
      this.inputPaused = true;
      this.transport.pauseInput();
    }
    this.wakeReader();
  }

  /** The connection is gone: no UPDATE state (RFC 1939 6), just stop. */
  closedByPeer(): void {
    this.shutdown();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wakeReader(): void {
    const waiter = this.inputWaiter;
    this.inputWaiter = undefined;
    waiter?.();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.reader.clear();
    this.wakeReader();
  }

  private close(): void {
    this.shutdown();
    this.transport.close();
  }

  /** Restarts the inactivity timer: a command came in, or a multi-line answer moved on. */
  private touch(): void {
    this.idleTimer?.refresh();
  }

  private autologout(): void {
    if (this.closed) return;
    this.log.info('pop3 autologout');
    // RFC 1939 3: autologout closes without entering the UPDATE state.
    this.write(errLine('Disconnected for inactivity'));
    this.close();
  }

  private write(data: Buffer): boolean {
    if (this.closed) return true;
    return this.transport.write(data);
  }

  /** The next line event, waiting for input; undefined once the connection is closed. */
  private async nextEvent(maxLength: number): Promise<LineEvent | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const event = this.reader.next(maxLength);
      if (event) {
        // Only whole lines count as activity: an endless line without LF is still idle.
        this.touch();
        return event;
      }
      if (this.inputPaused) {
        this.inputPaused = false;
        this.transport.resumeInput();
      }
      await new Promise<void>((resolve) => {
        this.inputWaiter = resolve;
      });
    }
  }

  private async commandLoop(): Promise<void> {
    try {
      for (;;) {
        const event = await this.nextEvent(this.settings.maxLineLength);
        if (!event) return;
        await this.handle(event);
        await this.runPendingAction();
      }
    } catch (error) {
      // Only a bug gets here (command errors are answered in `handle`): end this session only.
      this.log.error({ err: error }, 'pop3 session failed');
      this.write(errLine('Internal server error', 'SYS/TEMP'));
      this.close();
    }
  }

  private async handle(event: LineEvent): Promise<void> {
    if (event.type === 'too-long') return this.context.syntaxError('Line too long');
    const command = parseCommandLine(event.bytes);
    if (!command) return this.context.syntaxError('Unknown command');
    const entry = COMMANDS.get(command.keyword);
    if (!entry) return this.context.syntaxError(`Unknown command ${command.keyword}`);
    if (!entry.phases.includes(this.state.phase)) {
      const phase = this.state.phase === 'authorization' ? 'before login' : 'after login';
      return this.context.syntaxError(`${command.keyword} is not valid ${phase}`);
    }
    try {
      await entry.run(this.context, command);
    } catch (error) {
      this.log.error({ err: error, command: command.keyword }, 'pop3 command failed');
      this.context.err('Internal error, try again later', 'SYS/TEMP');
    }
  }

  private async runPendingAction(): Promise<void> {
    const action = this.pendingAction;
    this.pendingAction = undefined;
    if (action === 'close') this.close();
    if (action !== 'starttls') return;
    // Anything pipelined after STLS came in the clear: drop it (CVE-2011-0411 class).
    this.reader.clear();
    try {
      await this.transport.startTls();
      this.state.secure = true;
    } catch (error) {
      this.log.info({ err: error }, 'pop3 TLS negotiation failed');
      this.close();
    }
  }

  private async multiline(status: string, body: Iterable<Buffer>): Promise<void> {
    const batch: Buffer[] = [okLine(status)];
    let batched = batch[0].length;
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      const data = batch.length === 1 ? batch[0] : Buffer.concat(batch, batched);
      batch.length = 0;
      batched = 0;
      if (!this.write(data)) await this.transport.waitForDrain();
      this.touch();
    };
    for (const piece of body) {
      if (this.closed) return;
      // A big slice goes out as it is rather than being copied into a batch.
      if (piece.length >= OUTPUT_BATCH) await flush();
      batch.push(piece);
      batched += piece.length;
      if (batched >= OUTPUT_BATCH) await flush();
    }
    batch.push(MULTILINE_END);
    batched += MULTILINE_END.length;
    await flush();
    this.badCommands = 0;
  }

  private createContext(): Pop3CommandContext {
    return {
      state: this.state,
      settings: this.settings,
      log: this.log,
      ok: (text) => {
        this.badCommands = 0;
        this.write(okLine(text));
      },
      err: (text, code?: ResponseCode) => {
        this.write(errLine(text, code));
      },
      syntaxError: (text) => {
        this.write(errLine(text));
        if (++this.badCommands >= this.settings.maxBadCommands) {
          this.write(errLine('Too many invalid commands, closing'));
          this.pendingAction = 'close';
        }
      },
      multiline: (status, body) => this.multiline(status, body),
      readLine: async (maxLength) => {
        const event = await this.nextEvent(maxLength);
        return event?.type === 'line' ? event.bytes : undefined;
      },
      send: (data) => {
        this.write(data);
      },
      afterResponse: (action) => {
        this.pendingAction = action;
      },
      maildrop: () => {
        if (!this.state.maildrop) throw new Error('No maildrop before login');
        return this.state.maildrop;
      },
      access: () => {
        if (!this.state.access) throw new Error('No mailbox access before login');
        return this.state.access;
      },
    };
  }
}
