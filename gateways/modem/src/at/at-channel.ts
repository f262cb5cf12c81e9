import {
  silentLogger,
  systemClock,
  type Clock,
  type LinkLogger,
  type TimerHandle,
} from '@dizi/gateway-kit';
import { AtCommandError, AtTimeoutError, CmeError, CmsError, ModemClosedError } from './at-errors';
import type { AtTransport } from './at-transport';

/** Unsolicited result codes the SMS side cares about (27.005 §3.4.1). */
export type Urc =
  | { kind: 'cmti'; storage: string; index: number }
  | { kind: 'cdsi'; storage: string; index: number }
  | { kind: 'cmt'; length: number; pdu: string }
  | { kind: 'cds'; length: number; pdu: string }
  /** Any other line no command waits for (RING, ^RSSI, a stray OK…). */
  | { kind: 'other'; line: string }
  /** A +CMT/+CDS whose header or PDU line is malformed. */
  | { kind: 'bad'; line: string; problem: string };

export interface CommandOptions {
  timeoutMs?: number;
  /** For AT+CMGS/AT+CMGW: hex sent after the "> " prompt, followed by Ctrl-Z. */
  pdu?: string;
  /** Runs before the queued commands (acknowledgements that must go out quickly). */
  urgent?: boolean;
}

interface Job {
  command: string;
  options: CommandOptions;
  resolve: (lines: string[]) => void;
  reject: (error: Error) => void;
}

interface Running extends Job {
  lines: string[];
  promptSeen: boolean;
  timer: TimerHandle;
}

const CTRL_Z = '\x1a';
const ESC = '\x1b';
const FINAL_ERROR = /^(ERROR|NO CARRIER|BUSY|NO ANSWER|NO DIALTONE|COMMAND NOT SUPPORT)$/;
const MAX_LINE = 2048;

/**
 * One AT command at a time over a modem's byte stream, with unsolicited result codes
 * interleaved anywhere (between a command and its answer, before the "> " prompt, in
 * the middle of a response). Lines are split on CR or LF; the PDU prompt is the only
 * thing read without a line end. Echo of the running command is ignored.
 */
export class AtChannel {
  private readonly queue: Job[] = [];
  private running: Running | null = null;
  private buffer = '';
  private awaitingUrcPdu: { kind: 'cmt' | 'cds'; length: number; header: string } | null = null;
  private closedError: Error | null = null;
  private readonly clock: Clock;
  private readonly logger: LinkLogger;

  constructor(
    private readonly transport: AtTransport,
    private readonly handlers: {
      urc: (urc: Urc) => void;
      closed: (error?: Error) => void;
    },
    options: { clock?: Clock; logger?: LinkLogger; defaultTimeoutMs?: number } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
    transport.attach({
      data: (chunk) => this.onData(chunk),
      closed: (error) => this.onClosed(error),
    });
  }

  private readonly defaultTimeoutMs: number;

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** True while no command runs or waits. */
  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  /**
   * Sends a command (without the trailing CR) and resolves with its information
   * lines once OK arrives; rejects with CmsError/CmeError/AtCommandError on an error
   * result, AtTimeoutError when no final result arrives in time, ModemClosedError when
   * the port closes.
   */
  send(command: string, options: CommandOptions = {}): Promise<string[]> {
    if (this.closedError) return Promise.reject(new ModemClosedError(this.closedError.message));
    return new Promise<string[]>((resolve, reject) => {
      const job = { command, options, resolve, reject };
      if (options.urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.next();
    });
  }

  /**
   * Writes ESC outside any command: a modem left waiting for a PDU after its "> "
   * prompt (the link timed out, or restarted) drops it and answers commands again.
   */
  cancelPendingPdu(): void {
    if (!this.closedError) this.write(ESC);
  }

  /** Closes the port; waiting commands fail with ModemClosedError. */
  async close(): Promise<void> {
    this.onClosed(new Error('closed by the link'));
    await this.transport.close();
  }

  private next(): void {
    if (this.running || this.closedError) return;
    const job = this.queue.shift();
    if (!job) return;
    const timeoutMs = job.options.timeoutMs ?? this.defaultTimeoutMs;
    const timer = this.clock.setTimeout(() => this.onTimeout(timeoutMs), timeoutMs);
    timer.unref?.();
    this.running = { ...job, lines: [], promptSeen: false, timer };
    this.write(`${job.command}\r`);
  }

  private write(data: string): void {
    try {
      this.transport.write(data);
    } catch (error) {
      this.onClosed(error as Error);
    }
  }

  private onTimeout(timeoutMs: number): void {
    const job = this.running;
    if (!job) return;
    // A PDU half-sent (prompt seen, no Ctrl-Z answer) is cancelled with ESC.
    if (job.options.pdu !== undefined) this.write(ESC);
    this.finish(new AtTimeoutError(job.command, timeoutMs));
  }

  private finish(result: string[] | Error): void {
    const job = this.running;
    if (!job) return;
    this.running = null;
    this.clock.clearTimeout(job.timer);
    if (result instanceof Error) job.reject(result);
    else job.resolve(result);
    this.next();
  }

  private onClosed(error?: Error): void {
    if (this.closedError) return;
    this.closedError = error ?? new Error('port closed');
    const failure = new ModemClosedError(this.closedError.message);
    const job = this.running;
    this.running = null;
    if (job) {
      this.clock.clearTimeout(job.timer);
      job.reject(failure);
    }
    for (const waiting of this.queue.splice(0)) waiting.reject(failure);
    this.handlers.closed(error);
  }

  private onData(chunk: Buffer): void {
    this.buffer += chunk.toString('latin1');
    for (;;) {
      const job = this.running;
      if (job && job.options.pdu !== undefined && !job.promptSeen) {
        const lead = this.buffer.replace(/^[\r\n]+/, '');
        if (lead.startsWith('>')) {
          this.buffer = lead.slice(lead.startsWith('> ') ? 2 : 1);
          job.promptSeen = true;
          this.write(job.options.pdu + CTRL_Z);
          continue;
        }
      }
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end + 1);
      if (line) this.onLine(line);
    }
    if (this.buffer.length > MAX_LINE) {
      this.logger.warn({ bytes: this.buffer.length }, 'modem sent an endless line; dropped');
      this.handlers.urc({ kind: 'bad', line: this.buffer.slice(0, 80), problem: 'line too long' });
      this.buffer = '';
    }
  }

  private onLine(line: string): void {
    if (this.awaitingUrcPdu) {
      const header = this.awaitingUrcPdu;
      this.awaitingUrcPdu = null;
      if (/^[0-9A-Fa-f]+$/.test(line) && line.length % 2 === 0) {
        this.handlers.urc({ kind: header.kind, length: header.length, pdu: line });
        return;
      }
      this.handlers.urc({
        kind: 'bad',
        line: header.header,
        problem: `PDU line "${line.slice(0, 40)}"`,
      });
      // The line may still be a result code of the running command.
    }
    const urc = /^\+(CMTI|CDSI):\s*"?([A-Za-z]*)"?\s*,\s*(\d+)\s*$/.exec(line);
    if (urc) {
      const kind = urc[1] === 'CMTI' ? 'cmti' : 'cdsi';
      this.handlers.urc({ kind, storage: urc[2], index: Number(urc[3]) });
      return;
    }
    const direct = /^\+(CMT|CDS):\s*(.*)$/.exec(line);
    if (direct) {
      // +CMT: [<alpha>],<length>   +CDS: <length>
      const length = /(?:^|,)\s*(\d+)\s*$/.exec(direct[2]);
      if (!length) {
        this.handlers.urc({ kind: 'bad', line, problem: 'no length' });
        return;
      }
      const kind = direct[1] === 'CMT' ? 'cmt' : 'cds';
      this.awaitingUrcPdu = { kind, length: Number(length[1]), header: line };
      return;
    }
    const job = this.running;
    if (!job || line.startsWith('^') || line === 'RING') {
      this.handlers.urc({ kind: 'other', line });
      return;
    }
    if (line === job.command) return; // echo (before ATE0 took effect)
    if (line === 'OK') {
      this.finish(job.lines);
      return;
    }
    const cms = /^\+CMS ERROR:\s*(\d+)/.exec(line);
    if (cms) {
      this.finish(new CmsError(job.command, Number(cms[1])));
      return;
    }
    const cme = /^\+CME ERROR:\s*(.+)$/.exec(line);
    if (cme) {
      this.finish(new CmeError(job.command, cme[1].trim()));
      return;
    }
    if (FINAL_ERROR.test(line)) {
      this.finish(new AtCommandError(job.command, line));
      return;
    }
    job.lines.push(line);
  }
}
