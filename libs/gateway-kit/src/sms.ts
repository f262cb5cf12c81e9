/** One SMS to send. The kit splits long texts; a link sends the segments. */
export interface OutboundSms {
  /** The caller's id (the SMS row), carried into logs. */
  id: string;
  /** Destination MSISDN, digits with an optional leading '+'. */
  to: string;
  /** Text to send; or `data` for binary (8-bit) content. Exactly one of the two. */
  text?: string;
  data?: Buffer;
  /** Extension appended to the link's source number (CMPP Src_Id = srcId + extension). */
  sourceExtension?: string;
  /** Ask the carrier for a delivery report (default true). */
  registeredDelivery?: boolean;
}

/** An MO message, joined from its segments by the kit. */
export interface InboundMessage {
  linkId: string;
  from: string;
  to: string;
  text: string;
  receivedAt: Date;
  /** False when the reassembly time-out passed before every segment arrived. */
  complete: boolean;
  segments: number;
  /** Carrier id of the (first) DELIVER, for logs and de-duplication. */
  carrierId?: string;
}

export type DeliveryState =
  'delivered' | 'expired' | 'deleted' | 'undeliverable' | 'accepted' | 'rejected' | 'unknown';

/** A delivery report, matched by the carrier id that submit() returned for the segment. */
export interface DeliveryReport {
  linkId: string;
  /** Carrier message id of the segment, as returned by {@link SmsLink.submit}. */
  messageId: string;
  /** The handset the segment went to. */
  to: string;
  state: DeliveryState;
  /** The carrier's own status word, e.g. "DELIVRD" or "MA:0054". */
  carrierStatus: string;
  submittedAt?: Date;
  doneAt?: Date;
}

/** Where a link hands what it receives. A rejected promise makes the link ask for a resend. */
export interface InboundSink {
  message(message: InboundMessage): void | Promise<void>;
  report(report: DeliveryReport): void | Promise<void>;
}

/** Maps the usual carrier status words (CMPP/SMGP/SMPP receipts) to a delivery state. */
export function deliveryStateOf(carrierStatus: string): DeliveryState {
  switch (carrierStatus.trim().toUpperCase()) {
    case 'DELIVRD':
      return 'delivered';
    case 'EXPIRED':
      return 'expired';
    case 'DELETED':
      return 'deleted';
    case 'UNDELIV':
      return 'undeliverable';
    case 'ACCEPTD':
      return 'accepted';
    case 'REJECTD':
      return 'rejected';
    case 'UNKNOWN':
      return 'unknown';
    default:
      // Gateway-specific codes ("MA:0054", "MK:0005", "DB:0008") all mean it did not arrive.
      return /^[A-Z]{2}:/.test(carrierStatus.trim()) ? 'undeliverable' : 'unknown';
  }
}
