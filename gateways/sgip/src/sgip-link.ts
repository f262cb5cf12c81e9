import {
  FieldEncodeError,
  GatewayError,
  LongConnectionLink,
  encodingOfMessageFormat,
  messageFormatOf,
  nationalNumber,
  parseUdh,
  sourceNumber,
  type FrameEvent,
  type LinkDeps,
  type OutboundSms,
  type PduChannel,
  type PduCodec,
} from '@dizi/gateway-kit';
import type { SgipDeliver, SgipReport, SgipResult, SgipSubmit } from './sgip-bodies';
import { LoginType, SGIP_HEADER_LENGTH, SgipCommand } from './sgip-constants';
import type { SgipLinkConfig } from './sgip-link-config';
import { sgipCodec, type SgipPdu } from './sgip-pdu';
import { SgipReceiver } from './sgip-receiver';
import { isRetryableSgipResult, sgipReportState, sgipResultText } from './sgip-result-codes';
import { SgipSequenceGenerator, formatSgipSequence, type SgipSequence } from './sgip-sequence';

/** The SMG refused our Bind. */
export class SgipLoginError extends GatewayError {
  constructor(readonly result: number) {
    super('SGIP_LOGIN', `SMG refused Bind: result ${result} (${sgipResultText(result)})`);
  }
}

/** Result we answer a Deliver/Report with when our sink could not take it (so the SMG resends). */
const RESULT_SINK_FAILED = 99;
const RESULT_PARAMETER_FORMAT = 5;

/**
 * SGIP 1.2 SP link, both directions: a client session that binds to the SMG
 * (LoginType 1) to Submit through a sliding window, and a listener where the SMG binds
 * (LoginType 2) to Deliver MO messages and Report delivery results.
 *
 * The carrier id of a segment is its Submit's sequence number ("node-MMDDhhmmss-n"),
 * which is what the Report quotes. A segment in flight when the connection drops is
 * sent again after the reconnect: SGIP cannot tell whether the SMG took it.
 */
export class SgipLink extends LongConnectionLink<SgipPdu, SgipResult, SgipLinkConfig> {
  protected readonly codec: PduCodec<SgipPdu> = sgipCodec;
  private readonly sequences: SgipSequenceGenerator;
  private readonly receiver: SgipReceiver;
  private bindWaiter: { counter: number; resolve: (r: SgipResult) => void } | null = null;

  constructor(config: SgipLinkConfig, deps: LinkDeps) {
    super(config, deps);
    this.sequences = new SgipSequenceGenerator(config.nodeId, this.clock);
    this.receiver = new SgipReceiver(
      {
        host: config.listenHost,
        port: config.listenPort,
        login: config.smgLogin,
        password: config.smgPassword,
        logger: this.logger,
      },
      {
        deliver: (pdu) => this.onDeliver(pdu),
        report: (pdu) => this.onReport(pdu),
        problem: (message) => this.noteError(message),
      },
    );
  }

  /** Where the SMG should connect to deliver (null before start). */
  get listenAddress(): { host: string; port: number } | null {
    return this.receiver.address;
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    this.assertUp();
    const national = nationalNumber(sms.to);
    const userNumber = /^1\d{10}$/.test(national)
      ? this.config.userNumberPrefix + national
      : national;
    const spNumber = sourceNumber(this.config.srcId, sms.sourceExtension, 'SPNumber');
    const message = this.segmentOutbound(sms, this.config.encodings);
    const coding = messageFormatOf(message.encoding);
    if (coding === undefined)
      throw new FieldEncodeError('MessageCoding', 'SGIP has no packed GSM 7-bit coding');
    return this.settleSegments(
      sms.id,
      message.segments.map((segment) =>
        this.submitSegment({
          spNumber,
          chargeNumber: this.config.chargeNumber,
          userNumbers: [userNumber],
          corpId: this.config.corpId,
          serviceType: this.config.serviceId,
          feeType: this.config.feeType,
          feeValue: this.config.feeValue,
          givenValue: this.config.givenValue,
          agentFlag: this.config.agentFlag,
          morelatetoMTFlag: this.config.morelatetoMTFlag,
          priority: 0,
          expireTime: '',
          scheduleTime: '',
          // 1 = report always, 2 = never (PROTOCOLS.md §2.3).
          reportFlag: sms.registeredDelivery === false ? 2 : 1,
          tpPid: 0,
          tpUdhi: segment.udh ? 1 : 0,
          messageCoding: coding,
          messageType: 0,
          messageContent: segment.userData,
          reserve: '',
        }),
      ),
    );
  }

  protected override async beforeConnect(): Promise<void> {
    await this.receiver.listen();
  }

  protected override async afterStop(): Promise<void> {
    await this.receiver.close();
  }

  protected async login(connection: PduChannel<SgipPdu>): Promise<void> {
    const sequence = this.sequences.next();
    const resp = await this.awaitLoginAnswer<SgipResult>(
      sequence.counter,
      () =>
        connection.send({
          command: 'bind',
          sequence,
          loginType: LoginType.SP_TO_SMG,
          loginName: this.config.account,
          loginPassword: this.config.secret,
          reserve: '',
        }),
      (resolve) => (this.bindWaiter = { counter: sequence.counter, resolve }),
    ).finally(() => (this.bindWaiter = null));
    if (resp.result !== 0) throw new SgipLoginError(resp.result);
  }

  /** SGIP has no link test; an idle session the SMG closes is simply opened again. */
  protected probe(): null {
    return null;
  }

  protected goodbye(): SgipPdu {
    return { command: 'unbind', sequence: this.sequences.next() };
  }

  protected onPdu(connection: PduChannel<SgipPdu>, pdu: SgipPdu): void {
    switch (pdu.command) {
      case 'bind_resp':
        if (this.bindWaiter?.counter === pdu.sequence.counter) this.bindWaiter.resolve(pdu);
        else this.noteError(`unexpected Bind_Resp ${formatSgipSequence(pdu.sequence)} ignored`);
        return;
      case 'submit_resp':
        if (
          pdu.sequence.nodeId !== this.config.nodeId ||
          !this.window.resolve(pdu.sequence.counter, pdu)
        ) {
          this.noteError(
            `Submit_Resp for unknown sequence ${formatSgipSequence(pdu.sequence)} ignored`,
          );
        }
        return;
      case 'unbind':
        this.logger.info({ link: this.id }, 'SMG sent Unbind; closing and reconnecting');
        this.reply(connection, { command: 'unbind_resp', sequence: pdu.sequence });
        connection.close();
        return;
      case 'unbind_resp':
        this.goodbyeAnswered();
        return;
      default:
        this.noteError(`unexpected ${pdu.command} on the submit connection ignored`);
    }
  }

  protected onBadPacket(
    _connection: PduChannel<SgipPdu>,
    event: Extract<FrameEvent<SgipPdu>, { kind: 'bad-packet' }>,
  ): void {
    this.noteError(
      `bad packet (Command ID 0x${event.commandId.toString(16)}): ${event.error.message}`,
    );
    if (event.commandId === SgipCommand.SUBMIT_RESP && event.raw.length >= SGIP_HEADER_LENGTH) {
      // Its request will be sent again rather than wait for the time-out.
      this.window.fail(event.raw.readUInt32BE(16), event.error);
    }
  }

  /** Sends one segment through the window (see SegmentSender for resends). */
  private submitSegment(fields: SgipSubmit): Promise<string> {
    // Each attempt gets a new sequence number; the accepted one becomes the carrier id.
    let sequence: SgipSequence;
    return this.sender.send(
      () => {
        sequence = this.sequences.next();
        return sequence.counter;
      },
      (counter) => this.requireConnection(counter).send({ command: 'submit', sequence, ...fields }),
      (response) =>
        response.result === 0
          ? { accepted: true, messageId: formatSgipSequence(sequence) }
          : {
              accepted: false,
              code: response.result,
              reason: sgipResultText(response.result),
              retryable: isRetryableSgipResult(response.result),
            },
    );
  }

  private async onDeliver(pdu: SgipDeliver): Promise<number> {
    try {
      let payload = pdu.messageContent;
      let concat;
      if (pdu.tpUdhi) {
        const udh = parseUdh(pdu.messageContent);
        concat = udh.concat;
        payload = pdu.messageContent.subarray(udh.headerLength);
      }
      const taken = await this.receiveInbound(
        { from: pdu.userNumber, to: pdu.spNumber },
        { encoding: encodingOfMessageFormat(pdu.messageCoding), bytes: Buffer.from(payload) },
        concat,
      );
      return taken ? 0 : RESULT_SINK_FAILED;
    } catch (error) {
      this.noteError(`bad Deliver: ${(error as Error).message}`);
      return RESULT_PARAMETER_FORMAT;
    }
  }

  private async onReport(pdu: SgipReport): Promise<number> {
    const taken = await this.receiveReport({
      linkId: this.id,
      messageId: formatSgipSequence(pdu.submitSequence),
      to: pdu.userNumber,
      state: sgipReportState(pdu.state),
      carrierStatus: `State:${pdu.state} ErrorCode:${pdu.errorCode}`,
    });
    return taken ? 0 : RESULT_SINK_FAILED;
  }
}
