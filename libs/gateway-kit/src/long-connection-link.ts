import { ConnectionLostError, LinkDownError, RequestTimeoutError } from './errors';
import type { TimerHandle } from './flow/clock';
import { KeepAlive } from './flow/keep-alive';
import { RateMeter } from './flow/rate-meter';
import { ReconnectBackoff } from './flow/reconnect-backoff';
import { SegmentSender } from './flow/segment-sender';
import { SubmitWindow } from './flow/submit-window';
import { TokenBucket } from './flow/token-bucket';
import { UpGate } from './flow/up-gate';
import type { LinkConfig } from './link-config';
import { SmsLink, type LinkDeps, type LinkHealth, type LinkState } from './sms-link';
import type { FrameEvent } from './wire/length-prefixed-decoder';
import { PduChannel, type PduCodec } from './wire/pdu-channel';

/** Settings every long-connection link has (defaults come from each protocol's config). */
export interface LongConnectionConfig extends LinkConfig {
  host: string;
  port: number;
  /** Wait for any response (CMPP T). */
  responseTimeoutMs: number;
  /** Sends of one request, or unanswered keep-alive probes, before giving up (CMPP N). */
  maxAttempts: number;
  connectTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long a segment already under way waits for a reconnect before failing. */
  resumeTimeoutMs: number;
}

/**
 * The machinery shared by SP links over one long-lived TCP session (CMPP, SMGP, the
 * submit side of SGIP): connect and log in, reconnect with back-off, keep the session
 * alive, a submit window with TPS limit and resends, a polite goodbye on stop, and
 * health. A protocol supplies its codec, login, PDU handling and goodbye.
 */
export abstract class LongConnectionLink<
  P,
  R,
  C extends LongConnectionConfig = LongConnectionConfig,
> extends SmsLink {
  declare readonly config: C;
  protected readonly window: SubmitWindow<R>;
  protected readonly sender: SegmentSender<R>;
  protected connection: PduChannel<P> | null = null;
  protected state: LinkState = 'down';
  protected stopped = true;
  private readonly bucket: TokenBucket;
  private readonly meter: RateMeter;
  private readonly backoff: ReconnectBackoff;
  private readonly upGate: UpGate;
  private reconnectTimer: TimerHandle | null = null;
  private keepAlive: KeepAlive | null = null;
  private connecting: Promise<void> | null = null;
  private goodbyeWaiter: (() => void) | null = null;
  private errorCount = 0;
  private lastError: string | undefined;

  constructor(config: C, deps: LinkDeps) {
    super(config, deps);
    this.window = new SubmitWindow<R>(config.window, config.responseTimeoutMs, this.clock);
    this.bucket = new TokenBucket(config.tps, undefined, this.clock);
    this.meter = new RateMeter(5, this.clock);
    this.backoff = new ReconnectBackoff(config.reconnectMinMs, config.reconnectMaxMs);
    this.upGate = new UpGate(this.clock);
    this.sender = new SegmentSender<R>({
      linkId: this.id,
      window: this.window,
      bucket: this.bucket,
      meter: this.meter,
      upGate: this.upGate,
      maxAttempts: config.maxAttempts,
      resumeTimeoutMs: config.resumeTimeoutMs,
      retryDelayMs: config.reconnectMinMs,
      isStopped: () => this.stopped,
      noteError: (message) => this.noteError(message),
      clock: this.clock,
    });
  }

  protected abstract readonly codec: PduCodec<P>;

  /** Sends the login request and resolves once it was accepted; throws a typed error if refused. */
  protected abstract login(connection: PduChannel<P>): Promise<void>;

  /** Handles one PDU from the peer (responses, inbound messages, link tests). */
  protected abstract onPdu(connection: PduChannel<P>, pdu: P): void;

  /** Handles a packet that could not be decoded (answer it, fail its request…). */
  protected abstract onBadPacket(
    connection: PduChannel<P>,
    event: Extract<FrameEvent<P>, { kind: 'bad-packet' }>,
  ): void;

  /** The keep-alive probe, or null for a protocol without one. */
  protected abstract probe(): P | null;

  /** The polite goodbye sent on stop (TERMINATE, Exit, Unbind); call `goodbyeAnswered` on its answer. */
  protected abstract goodbye(): P;

  /** Idle time before a keep-alive probe; only read when `probe()` gives one. */
  protected keepAliveIdleMs(): number {
    return 180_000;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.beforeConnect();
    await this.connectOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.upGate.fail(new LinkDownError(this.id, 'stopped'));
    const connection = this.connection;
    if (connection && !connection.closed) {
      if (this.state === 'up') await this.sayGoodbye(connection);
      connection.close();
      await connection.whenClosed;
    }
    this.setState('down');
    await this.afterStop();
    await this.flushPartialMessages();
  }

  health(): LinkHealth {
    return {
      state: this.state,
      windowInUse: this.window.inUse,
      windowSize: this.window.size,
      ratePerSec: this.meter.perSecond(),
      tps: this.config.tps,
      errors: this.errorCount,
      lastError: this.lastError,
    };
  }

  /** Hook for links that also listen (SGIP): runs before the first connect. */
  protected async beforeConnect(): Promise<void> {}

  /** Hook for links that also listen (SGIP): runs after the session closed on stop. */
  protected async afterStop(): Promise<void> {}

  /** Refuses at once while the session is not up, so the router can try another link. */
  protected assertUp(): void {
    if (this.state !== 'up')
      throw new LinkDownError(this.id, this.stopped ? 'stopped' : this.state);
  }

  /** Throws when there is no session to write to, so the segment is sent again later. */
  protected requireConnection(sequenceId: number): PduChannel<P> {
    const connection = this.connection;
    if (!connection || this.state !== 'up') throw new ConnectionLostError(sequenceId);
    return connection;
  }

  /** Call when the answer to `goodbye()` arrives. */
  protected goodbyeAnswered(): void {
    this.goodbyeWaiter?.();
  }

  /** Sends a PDU no one waits for; a closed connection is only logged. */
  protected reply(connection: PduChannel<P>, pdu: P): void {
    try {
      connection.send(pdu);
    } catch (error) {
      this.logger.debug({ link: this.id, err: error }, 'could not send; connection closed');
    }
  }

  /** Waits for the answer to a login request, failing after connectTimeoutMs. */
  protected awaitLoginAnswer<A>(
    sequenceId: number,
    send: () => void,
    register: (resolve: (a: A) => void) => void,
  ): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => reject(new RequestTimeoutError(sequenceId, this.config.connectTimeoutMs)),
        this.config.connectTimeoutMs,
      );
      timer.unref?.();
      register((answer) => {
        this.clock.clearTimeout(timer);
        resolve(answer);
      });
      try {
        send();
      } catch (error) {
        this.clock.clearTimeout(timer);
        reject(error as Error);
      }
    });
  }

  protected noteError(message: string): void {
    this.errorCount++;
    this.lastError = message;
    this.logger.warn({ link: this.id }, message);
  }

  /** One attempt: TCP connect, login. Never rejects; failures schedule the next attempt. */
  private connectOnce(): Promise<void> {
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    this.setState('connecting');
    const { host, port } = this.config;
    let connection: PduChannel<P>;
    try {
      connection = await PduChannel.open(
        { host, port, timeoutMs: this.config.connectTimeoutMs, logger: this.logger },
        this.codec,
        {
          pdu: (pdu) => {
            this.keepAlive?.heard();
            this.onPdu(connection, pdu);
          },
          badPacket: (event) => this.onBadPacket(connection, event),
          closed: (reason) => this.onClosed(connection, reason),
        },
      );
    } catch (error) {
      this.noteError(`connect to ${host}:${port} failed: ${(error as Error).message}`);
      this.setState('down');
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      connection.close();
      return;
    }
    this.connection = connection;
    try {
      await this.login(connection);
      if (this.stopped) {
        // stop() ran while we were logging in: do not come up behind its back.
        connection.close();
        return;
      }
      this.backoff.reset();
      this.setState('up');
      this.logger.info({ link: this.id, host, port }, `${this.codec.protocol} link up`);
      this.startKeepAlive(connection);
      this.upGate.open();
    } catch (error) {
      this.noteError((error as Error).message);
      connection.destroy(error as Error);
    }
  }

  private onClosed(connection: PduChannel<P>, reason: Error | undefined): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.keepAlive?.stop();
    this.keepAlive = null;
    this.goodbyeWaiter?.();
    const wasUp = this.state === 'up';
    this.setState('down');
    this.window.failAll();
    if (reason) this.noteError(`connection closed: ${reason.message}`);
    if (wasUp)
      this.logger.warn(
        { link: this.id, reason: reason?.message },
        `${this.codec.protocol} link down`,
      );
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      void this.connectOnce();
    }, this.backoff.next());
    this.reconnectTimer.unref?.();
  }

  private startKeepAlive(connection: PduChannel<P>): void {
    if (!this.probe()) return;
    this.keepAlive = new KeepAlive({
      idleMs: this.keepAliveIdleMs(),
      responseTimeoutMs: this.config.responseTimeoutMs,
      maxUnanswered: this.config.maxAttempts,
      sendProbe: () => {
        const probe = this.probe();
        if (probe) this.reply(connection, probe);
      },
      onDead: (error) => connection.destroy(error),
      clock: this.clock,
    });
    this.keepAlive.start();
  }

  private async sayGoodbye(connection: PduChannel<P>): Promise<void> {
    const answered = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, Math.min(this.config.responseTimeoutMs, 2_000));
      timer.unref?.();
      this.goodbyeWaiter = () => {
        this.clock.clearTimeout(timer);
        this.goodbyeWaiter = null;
        resolve();
      };
    });
    this.reply(connection, this.goodbye());
    await answered;
  }

  private setState(state: LinkState): void {
    this.state = state;
    if (state !== 'up') this.upGate.close();
  }
}
