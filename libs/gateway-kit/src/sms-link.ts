import { GatewayError, PartialSubmitError, SubmitRefusedError } from './errors';
import { systemClock, type Clock } from './flow/clock';
import type { LinkConfig } from './link-config';
import { silentLogger, type LinkLogger } from './link-logger';
import type { DeliveryReport, InboundMessage, InboundSink, OutboundSms } from './sms';
import {
  SegmentReassembler,
  type InboundPart,
  type ReassembledMessage,
} from './text/segment-reassembler';
import { segmentBinary, segmentText, type SegmentedMessage } from './text/segmenter';
import { decodeContent, type TextEncoding } from './text/text-encoding';
import type { ConcatInfo } from './text/udh';

export type LinkState = 'up' | 'down' | 'connecting';

export interface LinkHealth {
  state: LinkState;
  windowInUse: number;
  windowSize: number;
  /** Segments per second actually sent, over the last few seconds. */
  ratePerSec: number;
  /** The configured limit, so the router can see how much room is left. */
  tps: number;
  /** Failures counted since start (refusals, time-outs, bad PDUs, lost connections). */
  errors: number;
  lastError?: string;
}

export interface LinkDeps {
  sink: InboundSink;
  logger?: LinkLogger;
  clock?: Clock;
  /** How long inbound segments wait for the rest of their message (default 5 min). */
  reassemblyTimeoutMs?: number;
}

/** Sender, receiver and carrier id of an inbound segment, kept with the first one. */
export interface InboundEnvelope {
  from: string;
  to: string;
  carrierId?: string;
}

/**
 * The contract every SMS link implements, plus what they all share: the sink, the
 * logger, the clock and the joining of inbound long messages.
 */
export abstract class SmsLink {
  readonly id: string;
  readonly kind: string;
  protected readonly sink: InboundSink;
  protected readonly logger: LinkLogger;
  protected readonly clock: Clock;
  private readonly reassembler: SegmentReassembler<InboundEnvelope>;
  private concatReference = Math.floor(Math.random() * 256);

  constructor(
    readonly config: LinkConfig,
    deps: LinkDeps,
  ) {
    this.id = config.id;
    this.kind = config.kind;
    this.sink = deps.sink;
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.reassembler = new SegmentReassembler<InboundEnvelope>({
      timeoutMs: deps.reassemblyTimeoutMs ?? 5 * 60_000,
      clock: this.clock,
      onExpired: (partial) => {
        this.logger.warn(
          {
            link: this.id,
            from: partial.meta.from,
            received: partial.received,
            total: partial.total,
          },
          'long MO message timed out before all segments arrived; handing over what came',
        );
        void this.handOver(partial).catch(() => undefined);
      },
    });
  }

  /** Connects (or starts listening); resolves once the first attempt has finished. */
  abstract start(): Promise<void>;

  /** Closes the session politely and stops reconnecting. */
  abstract stop(): Promise<void>;

  /** Sends one SMS (all its segments); resolves with the carrier's id of each segment. */
  abstract submit(sms: OutboundSms): Promise<string[]>;

  abstract health(): LinkHealth;

  /**
   * Splits an outbound SMS into segments in the first of `encodings` that can carry
   * its text (or as 8-bit data), with a fresh concatenation reference per message.
   */
  protected segmentOutbound(
    sms: OutboundSms,
    encodings: readonly TextEncoding[],
  ): SegmentedMessage {
    if ((sms.text === undefined) === (sms.data === undefined)) {
      throw new GatewayError('BAD_SMS', `SMS ${sms.id} must have exactly one of text and data`);
    }
    this.concatReference = (this.concatReference + 1) & 0xff;
    return sms.data
      ? segmentBinary(sms.data, { reference: this.concatReference })
      : segmentText(sms.text ?? '', { encodings, reference: this.concatReference });
  }

  /**
   * Hands an inbound segment to the sink, joining long messages first. Resolves
   * true when the segment is safely taken (held for joining, or the sink accepted
   * the whole message), false when the sink failed and the carrier should resend.
   */
  protected async receiveInbound(
    envelope: InboundEnvelope,
    part: InboundPart,
    concat: ConcatInfo | undefined,
  ): Promise<boolean> {
    if (!concat || concat.total === 1) {
      const text = decodeContent(part.bytes, part.encoding);
      return this.handOver({ meta: envelope, text, received: 1, total: 1, complete: true });
    }
    const key = `${envelope.from}|${envelope.to}`;
    const result = this.reassembler.add(key, concat, part, envelope);
    if (result.status === 'duplicate') {
      this.logger.warn(
        { link: this.id, from: envelope.from, seq: concat.seq },
        'duplicate segment ignored',
      );
      return true;
    }
    if (result.status !== 'complete') return true;
    const taken = await this.handOver(result.message);
    // Kept when the sink failed: the carrier's resend of this segment completes it again.
    if (taken) this.reassembler.release(result.groupId);
    return taken;
  }

  /**
   * Waits for every segment of one message and turns the outcome into one answer:
   * the ids in segment order, or the first failure — wrapped so that the ids already
   * accepted travel with it (the router must not send those parts again elsewhere).
   */
  protected async settleSegments(smsId: string, segments: Promise<string>[]): Promise<string[]> {
    const settled = await Promise.allSettled(segments);
    const accepted = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (!failure) return accepted;
    const cause =
      failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
    this.logger.warn(
      { link: this.id, sms: smsId, accepted: accepted.length, err: cause },
      'submit failed',
    );
    if (!accepted.length) throw cause;
    if (cause instanceof SubmitRefusedError) {
      throw new SubmitRefusedError(
        this.id,
        cause.carrierCode,
        cause.reason,
        cause.retryable,
        accepted,
      );
    }
    throw new PartialSubmitError(this.id, accepted, cause);
  }

  /** Hands a delivery report to the sink; false when the sink failed. */
  protected async receiveReport(report: DeliveryReport): Promise<boolean> {
    try {
      await this.sink.report(report);
      return true;
    } catch (error) {
      this.logger.error(
        { link: this.id, messageId: report.messageId, err: error },
        'report sink failed',
      );
      return false;
    }
  }

  /** Hands over, as incomplete, every long message still waiting for segments (on stop). */
  protected async flushPartialMessages(): Promise<void> {
    for (const partial of this.reassembler.flush()) await this.handOver(partial);
  }

  private async handOver(message: ReassembledMessage<InboundEnvelope>): Promise<boolean> {
    const inbound: InboundMessage = {
      linkId: this.id,
      from: message.meta.from,
      to: message.meta.to,
      text: message.text,
      receivedAt: new Date(this.clock.now()),
      complete: message.complete,
      segments: message.received,
      carrierId: message.meta.carrierId,
    };
    try {
      await this.sink.message(inbound);
      return true;
    } catch (error) {
      this.logger.error({ link: this.id, from: inbound.from, err: error }, 'message sink failed');
      return false;
    }
  }
}
