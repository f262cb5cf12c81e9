import {
  ConnectionLostError,
  LinkDownError,
  PduDecodeError,
  RequestTimeoutError,
  SubmitRefusedError,
} from '../errors';
import { systemClock, type Clock } from './clock';
import type { RateMeter } from './rate-meter';
import type { SubmitWindow } from './submit-window';
import type { TokenBucket } from './token-bucket';
import type { UpGate } from './up-gate';
import { SocketClosedError } from '../wire/pdu-socket';

/** How a link reads the carrier's answer to one submitted segment. */
export type SubmitVerdict =
  | { accepted: true; messageId: string }
  | { accepted: false; code: number; reason: string; retryable: boolean };

export interface SegmentSenderOptions<R> {
  linkId: string;
  window: SubmitWindow<R>;
  bucket: TokenBucket;
  meter: RateMeter;
  upGate: UpGate;
  /** Sends of one segment at most (spec N = 3 for CMPP). */
  maxAttempts: number;
  /** How long a segment already under way waits for a reconnect. */
  resumeTimeoutMs: number;
  /** Pause before sending again after a retryable refusal (flow control). */
  retryDelayMs: number;
  isStopped: () => boolean;
  noteError: (message: string) => void;
  clock?: Clock;
}

/**
 * Sends one segment through a link's window: waits for the link to be up and for a
 * TPS token, writes the request, awaits the matching response, and sends again after a
 * lost connection, a time-out or an undecodable answer (up to maxAttempts). This is
 * where "none is sent twice except where the protocol cannot tell" is decided: only a
 * request whose answer never arrived is repeated.
 */
export class SegmentSender<R> {
  private readonly clock: Clock;

  constructor(private readonly options: SegmentSenderOptions<R>) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * `write(sequenceId)` must write the request (throwing when there is no connection);
   * `nextSequence()` numbers each attempt; `judge` reads the answer.
   */
  async send(
    nextSequence: () => number,
    write: (sequenceId: number) => void,
    judge: (response: R, sequenceId: number) => SubmitVerdict,
  ): Promise<string> {
    const o = this.options;
    for (let attempt = 1; ; attempt++) {
      if (o.isStopped()) throw new LinkDownError(o.linkId, 'stopped');
      await o.upGate.wait(
        o.resumeTimeoutMs,
        () => new LinkDownError(o.linkId, `not reconnected within ${o.resumeTimeoutMs} ms`),
      );
      await o.bucket.take();
      const sequenceId = nextSequence();
      let response: R;
      let written = false;
      try {
        response = await o.window.send(sequenceId, () => {
          write(sequenceId);
          written = true;
        });
      } catch (error) {
        // Stopped before this request reached the wire (waiting for a token or a window
        // slot): nothing was sent, so the router may safely try another link.
        if (!written && o.isStopped()) throw new LinkDownError(o.linkId, 'stopped');
        const unanswered =
          error instanceof ConnectionLostError ||
          error instanceof SocketClosedError ||
          error instanceof RequestTimeoutError ||
          error instanceof PduDecodeError;
        if (!unanswered || attempt >= o.maxAttempts || o.isStopped()) throw error;
        o.noteError(`segment sent again after: ${(error as Error).message}`);
        continue;
      }
      const verdict = judge(response, sequenceId);
      if (verdict.accepted) {
        o.meter.record();
        return verdict.messageId;
      }
      o.noteError(`carrier refused a segment: ${verdict.code} (${verdict.reason})`);
      if (!verdict.retryable || attempt >= o.maxAttempts) {
        throw new SubmitRefusedError(o.linkId, verdict.code, verdict.reason, verdict.retryable);
      }
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(resolve, o.retryDelayMs);
        timer.unref?.();
      });
    }
  }
}
