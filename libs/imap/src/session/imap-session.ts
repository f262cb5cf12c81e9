import type { MailboxAccess } from '../mailbox-access';
import { MailboxAccessError } from '../mailbox-access';
import { InvalidMailboxNameError } from '../mailbox-name/modified-utf7';
import {
  CommandReader,
  type CommandReaderLimits,
  DEFAULT_READER_LIMITS,
  type ReaderEvent,
} from '../parser/command-reader';
import type { ImapCommand } from '../parser/command-types';
import { UnsupportedCharsetError } from '../parser/grammar/search.grammar';
import { parseCommand } from '../parser/parse-command';
import { capabilities } from '../response/capabilities';
import { continuation, statusResponse } from '../response/responses';
import { idle } from '../commands/idle';
import { dispatch, isValidIn } from './command-dispatch';
import {
  bad,
  type CommandContext,
  type CommandResult,
  no,
  type SessionSettings,
} from './command-context';
import { InvalidSequenceError, type SelectedFolder } from './selected-folder';
import type { SessionState } from './session-state';
import type { SessionTransport } from './session-transport';

export interface SessionLimits extends CommandReaderLimits {
  /** Consecutive BAD answers before the session gives up on the client. */
  readonly maxBadCommands: number;
  /** Commands read ahead of the one running before input is paused. */
  readonly maxQueuedCommands: number;
  /** Inactivity outside IDLE before autologout (RFC 3501 5.4: at least 30 minutes). */
  readonly inactivityTimeoutMs: number;
  /**
   * Largest literal before login: enough for credentials, so an anonymous client cannot
   * make the server hold a message-sized literal (RFC 7888 4 suggests such a limit).
   */
  readonly maxLiteralSizeBeforeLogin: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  ...DEFAULT_READER_LIMITS,
  maxBadCommands: 10,
  maxQueuedCommands: 64,
  inactivityTimeoutMs: 30 * 60_000,
  maxLiteralSizeBeforeLogin: 8 * 1024,
};

type QueuedEvent = ReaderEvent | { readonly type: 'selected-changed' };

interface IdleState {
  readonly tag: string;
  readonly keepalive: NodeJS.Timeout;
}

/** Commands whose non-UID form may not be interrupted by EXPUNGE (RFC 3501 7.4.1). */
const NO_EXPUNGE_DURING = new Set(['FETCH', 'STORE', 'SEARCH']);

/**
 * One IMAP connection's protocol engine: frames input, parses, checks the state,
 * runs one command at a time, writes untagged updates then the tagged answer. It knows
 * nothing of sockets; `ImapServer` gives it a `SessionTransport`.
 */
export class ImapSession {
  private reader: CommandReader;
  private readonly queue: QueuedEvent[] = [];
  private running = false;
  private closed = false;
  private badCount = 0;
  private lineWaiter?: (line: Buffer | undefined) => void;
  private idle?: IdleState;
  private unsubscribe?: () => void;
  private inactivity?: NodeJS.Timeout;
  private pendingAction?: 'starttls' | 'compress' | 'close';
  private inputPaused = false;
  private sendBufferFull = false;
  readonly state: SessionState;

  constructor(
    private readonly transport: SessionTransport,
    private readonly settings: SessionSettings,
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.state = {
      phase: 'not-authenticated',
      enabled: new Set(),
      secure: transport.secure,
      compressed: false,
      selectedDirty: false,
      remoteAddress: transport.remoteAddress,
      failedLogins: 0,
    };
    this.reader = new CommandReader(this.readerLimits());
  }

  private readerLimits(): CommandReaderLimits {
    const authenticated = this.state.phase === 'authenticated' || this.state.phase === 'selected';
    return {
      maxLineLength: this.limits.maxLineLength,
      maxLiteralSize: authenticated
        ? this.limits.maxLiteralSize
        : Math.min(this.limits.maxLiteralSize, this.limits.maxLiteralSizeBeforeLogin),
    };
  }

  /** Sends the greeting, with capabilities so clients need not ask (iOS does not). */
  start(): void {
    const list = capabilities({
      secure: this.state.secure,
      tlsAvailable: this.settings.tlsAvailable,
      requireTlsForAuth: this.settings.requireTlsForAuth,
      authenticated: false,
      compressed: false,
      appendLimit: this.limits.maxLiteralSize,
    });
    this.write(
      statusResponse(
        '*',
        'OK',
        `${this.settings.serverName} Dizi IMAP4rev1 ready`,
        `CAPABILITY ${list.join(' ')}`,
      ),
    );
    this.armInactivityTimer();
  }

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.armInactivityTimer();
    for (const event of this.reader.push(chunk)) {
      if (event.type === 'command' && this.lineWaiter) {
        const waiter = this.lineWaiter;
        this.lineWaiter = undefined;
        waiter(event.bytes);
        continue;
      }
      this.queue.push(event);
    }
    if (this.queue.length > this.limits.maxQueuedCommands && !this.inputPaused) {
      this.inputPaused = true;
      this.transport.pauseInput();
    }
    void this.run();
  }

  /** The connection is gone: stop timers and listeners. */
  closedByPeer(): void {
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.state.phase = 'logout';
    if (this.idle) clearInterval(this.idle.keepalive);
    this.idle = undefined;
    if (this.inactivity) clearTimeout(this.inactivity);
    this.unsubscribe?.();
    this.lineWaiter?.(undefined);
    this.lineWaiter = undefined;
    this.queue.length = 0;
  }

  private close(): void {
    this.shutdown();
    this.transport.close();
  }

  private write(data: Buffer): void {
    if (!this.closed && !this.transport.write(data)) this.sendBufferFull = true;
  }

  private armInactivityTimer(): void {
    if (this.inactivity) clearTimeout(this.inactivity);
    const timeout = this.idle ? this.settings.idleTimeoutMs : this.limits.inactivityTimeoutMs;
    this.inactivity = setTimeout(() => {
      this.write(
        statusResponse(
          '*',
          'BYE',
          this.idle ? 'IDLE timed out, reconnect' : 'Autologout, idle for too long',
        ),
      );
      this.close();
    }, timeout);
    this.inactivity.unref();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const event = this.queue.shift() as QueuedEvent;
        await this.handle(event);
        if (this.inputPaused && this.queue.length <= this.limits.maxQueuedCommands / 2) {
          this.inputPaused = false;
          this.transport.resumeInput();
        }
      }
    } catch (error) {
      this.onError(error);
      this.write(statusResponse('*', 'BYE', 'Internal server error'));
      this.close();
    } finally {
      this.running = false;
    }
  }

  private async handle(event: QueuedEvent): Promise<void> {
    switch (event.type) {
      case 'selected-changed':
        if (this.idle && this.state.selected) await this.updateSelected(true);
        return;
      case 'continue':
        this.write(continuation('Ready for literal data'));
        return;
      case 'line-too-long':
        this.answerBad(event.tag, 'Command line too long');
        return;
      case 'literal-too-large':
        if (event.synchronizing) {
          this.write(statusResponse(event.tag ?? '*', 'NO', 'Literal too large', 'TOOBIG'));
          return;
        }
        this.write(statusResponse('*', 'BYE', 'Literal too large', 'TOOBIG'));
        this.close();
        return;
      case 'command':
        if (this.idle) return this.endIdle(event.bytes);
        return this.runCommand(event.bytes);
    }
  }

  private answerBad(tag: string | undefined, text: string): void {
    this.write(statusResponse(tag ?? '*', 'BAD', text));
    if (++this.badCount >= this.limits.maxBadCommands) {
      this.write(statusResponse('*', 'BYE', 'Too many invalid commands'));
      this.close();
    }
  }

  private async runCommand(bytes: Buffer): Promise<void> {
    const parsed = parseCommand(bytes);
    if (!parsed.ok) {
      if (parsed.error instanceof UnsupportedCharsetError) {
        this.write(
          statusResponse(
            parsed.tag ?? '*',
            'NO',
            parsed.error.message,
            'BADCHARSET (UTF-8 US-ASCII GB2312 GBK GB18030 BIG5)',
          ),
        );
        return;
      }
      this.answerBad(parsed.tag, `Error in IMAP command: ${parsed.error.message}`);
      return;
    }
    const { tag, command } = parsed;
    if (!isValidIn(command, this.state.phase)) {
      this.answerBad(tag, `${command.name} is not valid in this state`);
      return;
    }
    const context = this.context(tag);
    if (command.name === 'IDLE') {
      this.badCount = 0;
      await this.guarded(tag, () => idle(context));
      return;
    }
    const result = await this.guarded(tag, () => dispatch(context, command));
    if (!result || this.closed) return;
    if (this.state.selected && this.state.selectedDirty && this.pendingAction === undefined) {
      await this.updateSelected(!(NO_EXPUNGE_DURING.has(command.name) && !isUidCommand(command)));
    }
    this.finish(tag, result);
  }

  /** Runs a command, turning refusals into NO/BAD answers; undefined when answered. */
  private async guarded<T>(
    tag: string,
    task: () => Promise<T>,
  ): Promise<T | CommandResult | undefined> {
    try {
      return await task();
    } catch (error) {
      if (this.closed) return undefined;
      let result: CommandResult;
      if (error instanceof MailboxAccessError) result = no(error.message, error.code);
      else if (error instanceof InvalidMailboxNameError) result = no(error.message, 'CANNOT');
      else if (error instanceof InvalidSequenceError) result = bad(error.message);
      else {
        this.onError(error);
        result = no('Internal error', 'SERVERBUG');
      }
      this.finish(tag, result);
      return undefined;
    }
  }

  private finish(tag: string, result: CommandResult): void {
    if (result.condition === 'BAD') {
      this.answerBad(tag, result.text);
    } else {
      this.badCount = 0;
      this.write(statusResponse(tag, result.condition, result.text, result.code));
    }
    const action = this.pendingAction;
    this.pendingAction = undefined;
    if (action === 'close') this.close();
    else if (action === 'starttls') this.upgradeToTls();
    else if (action === 'compress') {
      this.transport.startCompression();
      this.state.compressed = true;
    }
  }

  private upgradeToTls(): void {
    // Anything pipelined after STARTTLS came in the clear: drop it, queued or half-read
    // (the CVE-2011-0411 class of command injection).
    this.queue.length = 0;
    this.reader = new CommandReader(this.readerLimits());
    this.transport.startTls().then(
      () => {
        this.state.secure = true;
      },
      (error: unknown) => {
        this.onError(error);
        this.close();
      },
    );
  }

  private async endIdle(bytes: Buffer): Promise<void> {
    const idle = this.idle;
    if (!idle) return;
    clearInterval(idle.keepalive);
    this.idle = undefined;
    this.armInactivityTimer();
    if (bytes.toString('latin1').trim().toUpperCase() !== 'DONE') {
      this.answerBad(idle.tag, 'Expected DONE to end IDLE');
      return;
    }
    this.write(statusResponse(idle.tag, 'OK', 'IDLE terminated'));
  }

  private async updateSelected(allowExpunge: boolean): Promise<void> {
    const folder = this.state.selected;
    const access = this.state.access;
    if (!folder || !access) return;
    const snapshot = await access.selectFolder(folder.name, { claimRecent: !folder.readOnly });
    if (this.state.selected !== folder) return;
    const responses = folder.update(snapshot, {
      allowExpunge,
      qresync: this.state.enabled.has('QRESYNC'),
      condstore: this.state.enabled.has('CONDSTORE'),
    });
    for (const response of responses) this.write(response);
    if (allowExpunge) this.state.selectedDirty = false;
  }

  private login(user: string, access: MailboxAccess): void {
    this.state.phase = 'authenticated';
    this.state.user = user;
    this.state.access = access;
    this.reader.setLimits(this.readerLimits());
    this.unsubscribe = access.subscribe((change) => {
      const selected = this.state.selected;
      if (!selected || change.folder !== selected.name || this.closed) return;
      this.state.selectedDirty = true;
      // One pending update covers any number of changes: it reads the folder as it is then.
      if (this.idle && !this.queue.some((event) => event.type === 'selected-changed')) {
        this.queue.push({ type: 'selected-changed' });
        void this.run();
      }
    });
  }

  private context(tag: string): CommandContext {
    return {
      tag,
      state: this.state,
      settings: this.settings,
      appendLimit: this.limits.maxLiteralSize,
      send: (data) => this.write(data),
      drain: async () => {
        if (!this.sendBufferFull) return;
        this.sendBufferFull = false;
        await this.transport.waitForDrain();
      },
      access: () => {
        if (!this.state.access) throw new Error('Not authenticated');
        return this.state.access;
      },
      selected: (): SelectedFolder => {
        if (!this.state.selected) throw new Error('No mailbox selected');
        return this.state.selected;
      },
      updateSelected: (allowExpunge) => this.updateSelected(allowExpunge),
      afterResponse: (action) => {
        this.pendingAction = action;
      },
      readLine: () => {
        const index = this.queue.findIndex((event) => event.type === 'command');
        if (index === 0) {
          const event = this.queue.shift();
          return Promise.resolve(event?.type === 'command' ? event.bytes : undefined);
        }
        return new Promise((resolve) => {
          this.lineWaiter = resolve;
        });
      },
      startIdle: () => {
        const keepalive = setInterval(() => {
          this.write(statusResponse('*', 'OK', 'Still here'));
        }, this.settings.idleKeepaliveMs);
        keepalive.unref();
        this.idle = { tag, keepalive };
        this.armInactivityTimer();
      },
      login: (user, access) => this.login(user, access),
    };
  }
}

function isUidCommand(command: ImapCommand): boolean {
  return 'uid' in command && command.uid === true;
}
