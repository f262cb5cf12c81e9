import type { SequenceSet } from './sequence-set';

/** A BODY[...] section: a part path and what of that part (RFC 3501 section-spec). */
export interface BodySection {
  /** Part numbers, e.g. [1, 2] for `1.2`; empty for the whole message. */
  readonly path: readonly number[];
  readonly specifier?: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';
  /** Header field names of HEADER.FIELDS(.NOT), as sent (matched case-insensitively). */
  readonly fields?: readonly string[];
}

export interface PartialRange {
  readonly offset: number;
  readonly length: number;
}

export type FetchAttribute =
  | {
      readonly kind:
        | 'UID'
        | 'FLAGS'
        | 'INTERNALDATE'
        | 'ENVELOPE'
        | 'BODYSTRUCTURE'
        | 'BODY'
        | 'RFC822'
        | 'RFC822.HEADER'
        | 'RFC822.TEXT'
        | 'RFC822.SIZE'
        | 'MODSEQ';
    }
  | {
      readonly kind: 'BODY[]';
      /** BODY.PEEK does not set \Seen. */
      readonly peek: boolean;
      readonly section: BodySection;
      readonly partial?: PartialRange;
    };

export interface FetchModifiers {
  /** CONDSTORE: only messages whose mod-sequence is greater. */
  readonly changedSince?: number;
  /** QRESYNC: also report expunged UIDs in the set with VANISHED (EARLIER). */
  readonly vanished?: boolean;
}

export type FlagOperation = 'set' | 'add' | 'remove';

/** A search date is a calendar day; compared as YYYY-MM-DD strings. */
export type SearchDay = string;

export type SearchKey =
  | { readonly kind: 'all' }
  /** A system flag or keyword is (or is not, `present: false`) set. */
  | { readonly kind: 'flag'; readonly flag: string; readonly present: boolean }
  | { readonly kind: 'recent'; readonly present: boolean }
  /** NEW = RECENT UNSEEN. */
  | { readonly kind: 'new' }
  | { readonly kind: 'header'; readonly field: string; readonly value: string }
  | { readonly kind: 'body'; readonly value: string }
  | { readonly kind: 'text'; readonly value: string }
  | {
      readonly kind: 'date';
      /** INTERNALDATE (BEFORE/ON/SINCE) or the Date: header (SENTBEFORE/SENTON/SENTSINCE). */
      readonly source: 'internal' | 'sent';
      readonly comparison: 'before' | 'on' | 'since';
      readonly day: SearchDay;
    }
  | { readonly kind: 'size'; readonly comparison: 'larger' | 'smaller'; readonly size: number }
  | { readonly kind: 'sequence'; readonly set: SequenceSet }
  | { readonly kind: 'uid'; readonly set: SequenceSet }
  | { readonly kind: 'modseq'; readonly modseq: number }
  | { readonly kind: 'not'; readonly key: SearchKey }
  | { readonly kind: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly kind: 'and'; readonly keys: readonly SearchKey[] };

export interface QresyncParameters {
  readonly uidValidity: number;
  readonly modseq: number;
  readonly knownUids?: SequenceSet;
  /** Pairs of message sequence numbers and the UIDs the client had for them. */
  readonly knownSequenceMatch?: { readonly sequences: SequenceSet; readonly uids: SequenceSet };
}

export interface ListReturnOptions {
  readonly specialUse: boolean;
  readonly children: boolean;
  readonly subscribed: boolean;
  readonly status?: readonly StatusItem[];
}

export type StatusItem =
  'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'HIGHESTMODSEQ' | 'SIZE';

/** Every command this server understands, with its arguments parsed. */
export type NoArgumentCommandName =
  | 'CAPABILITY'
  | 'NOOP'
  | 'LOGOUT'
  | 'STARTTLS'
  | 'CHECK'
  | 'CLOSE'
  | 'UNSELECT'
  | 'IDLE'
  | 'NAMESPACE';

export type ImapCommand =
  | { readonly name: NoArgumentCommandName }
  | { readonly name: 'LOGIN'; readonly user: string; readonly password: string }
  | {
      readonly name: 'AUTHENTICATE';
      readonly mechanism: string;
      /** SASL-IR (RFC 4959) initial response, still base64; `=` means empty. */
      readonly initialResponse?: string;
    }
  | { readonly name: 'ENABLE'; readonly capabilities: readonly string[] }
  | { readonly name: 'ID'; readonly parameters: ReadonlyMap<string, string | null> | null }
  | { readonly name: 'COMPRESS'; readonly mechanism: string }
  | {
      readonly name: 'SELECT' | 'EXAMINE';
      readonly mailbox: string;
      readonly parameters: { readonly condstore: boolean; readonly qresync?: QresyncParameters };
    }
  | {
      readonly name: 'CREATE';
      readonly mailbox: string;
      /** RFC 6154 CREATE-SPECIAL-USE: `(USE (\Sent))`. */
      readonly specialUse?: string;
    }
  | { readonly name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; readonly mailbox: string }
  | { readonly name: 'RENAME'; readonly from: string; readonly to: string }
  | {
      readonly name: 'LIST' | 'LSUB';
      readonly reference: string;
      readonly patterns: readonly string[];
      /** LIST-EXTENDED selection options, e.g. SPECIAL-USE, SUBSCRIBED. */
      readonly selection: readonly string[];
      readonly returnOptions: ListReturnOptions;
    }
  | { readonly name: 'STATUS'; readonly mailbox: string; readonly items: readonly StatusItem[] }
  | {
      readonly name: 'APPEND';
      readonly mailbox: string;
      readonly flags: readonly string[];
      readonly internalDate?: Date;
      readonly message: Buffer;
    }
  | { readonly name: 'EXPUNGE'; readonly uid: boolean; readonly uids?: SequenceSet }
  | {
      readonly name: 'SEARCH';
      readonly uid: boolean;
      readonly charset: string;
      readonly key: SearchKey;
    }
  | {
      readonly name: 'FETCH';
      readonly uid: boolean;
      readonly set: SequenceSet;
      readonly attributes: readonly FetchAttribute[];
      readonly modifiers: FetchModifiers;
    }
  | {
      readonly name: 'STORE';
      readonly uid: boolean;
      readonly set: SequenceSet;
      readonly operation: FlagOperation;
      readonly silent: boolean;
      readonly flags: readonly string[];
      readonly unchangedSince?: number;
    }
  | {
      readonly name: 'COPY' | 'MOVE';
      readonly uid: boolean;
      readonly set: SequenceSet;
      readonly mailbox: string;
    }
  | { readonly name: 'GETQUOTA'; readonly root: string }
  | { readonly name: 'GETQUOTAROOT'; readonly mailbox: string }
  | {
      readonly name: 'SETQUOTA';
      readonly root: string;
      readonly limits: ReadonlyMap<string, number>;
    };

export type ImapCommandName = ImapCommand['name'];

/** A parsed command line: the tag and the command. */
export interface TaggedCommand {
  readonly tag: string;
  readonly command: ImapCommand;
}
