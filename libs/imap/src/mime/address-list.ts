/**
 * RFC 5322 address lists as IMAP's ENVELOPE shows them (RFC 3501 7.4.2): each address
 * is (name adl mailbox host); a group is opened by (NIL NIL "group-name" NIL) and
 * closed by (NIL NIL NIL NIL). Texts are raw bytes (latin1 strings here), encoded-words
 * are left for the client to decode, exactly as the header holds them.
 */
export interface EnvelopeAddress {
  readonly name: string | null;
  readonly adl: string | null;
  readonly mailbox: string | null;
  readonly host: string | null;
}

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'special'; readonly text: string };

/** At most this many addresses per header, against lists built to exhaust memory. */
const MAX_ADDRESSES = 1_000;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      i++;
    } else if (char === '(') {
      let depth = 0;
      while (i < text.length) {
        if (text[i] === '\\') i++;
        else if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) break;
        i++;
      }
      i++;
    } else if (char === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
      tokens.push({ kind: 'word', text: value, quoted: true });
    } else if ('<>@,;:[]'.includes(char)) {
      if (char === '[') {
        // Domain literal: keep as one word.
        const close = text.indexOf(']', i);
        const stop = close === -1 ? text.length : close + 1;
        tokens.push({ kind: 'word', text: text.slice(i, stop), quoted: false });
        i = stop;
      } else {
        tokens.push({ kind: 'special', text: char });
        i++;
      }
    } else {
      let word = '';
      while (i < text.length && !' \t\r\n()"<>@,;:['.includes(text[i])) word += text[i++];
      if (word) tokens.push({ kind: 'word', text: word, quoted: false });
      else i++; // a stray ")" : skip it
    }
  }
  return tokens;
}

class AddressParser {
  private at = 0;
  readonly addresses: EnvelopeAddress[] = [];

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isSpecial(text: string): boolean {
    const token = this.peek();
    return token?.kind === 'special' && token.text === text;
  }

  parse(): EnvelopeAddress[] {
    while (this.at < this.tokens.length && this.addresses.length < MAX_ADDRESSES) {
      if (this.isSpecial(',')) {
        this.at++;
        continue;
      }
      const before = this.at;
      this.parseAddress(true);
      // A stray special (such as ";" outside a group) is skipped, so the loop always advances.
      if (this.at === before) this.at++;
    }
    return this.addresses;
  }

  /** Reads words up to a special; dots between atoms are part of the words already. */
  private phrase(): Token[] {
    const words: Token[] = [];
    while (this.peek()?.kind === 'word') words.push(this.tokens[this.at++]);
    return words;
  }

  private parseAddress(groupAllowed: boolean): void {
    const words = this.phrase();
    const next = this.peek();
    if (next?.kind === 'special' && next.text === ':' && groupAllowed) {
      this.at++;
      this.addresses.push({ name: null, adl: null, mailbox: joinPhrase(words) ?? '', host: null });
      while (this.at < this.tokens.length && !this.isSpecial(';')) {
        if (this.isSpecial(',')) {
          this.at++;
          continue;
        }
        const before = this.at;
        this.parseAddress(false);
        if (this.at === before) this.at++;
      }
      if (this.isSpecial(';')) this.at++;
      this.addresses.push({ name: null, adl: null, mailbox: null, host: null });
      return;
    }
    if (next?.kind === 'special' && next.text === '<') {
      this.at++;
      this.angleAddress(joinPhrase(words));
      return;
    }
    if (next?.kind === 'special' && next.text === '@') {
      this.at++;
      const domain = this.phrase();
      this.push(null, null, words.map((w) => w.text).join(''), domain.map((w) => w.text).join(''));
      return;
    }
    if (words.length > 0) {
      // A local part without a domain (seen in broken mail).
      this.push(null, null, words.map((w) => w.text).join(''), null);
      return;
    }
    // A stray special such as ">" or "@": skip it.
    if (next && !(next.kind === 'special' && (next.text === ',' || next.text === ';'))) this.at++;
  }

  /** `<[@route,@route:]local@domain>` */
  private angleAddress(name: string | null): void {
    let adl: string | null = null;
    if (this.isSpecial('@')) {
      const route: string[] = [];
      while (this.at < this.tokens.length && !this.isSpecial(':') && !this.isSpecial('>')) {
        route.push(this.tokens[this.at++].text);
      }
      if (this.isSpecial(':')) this.at++;
      adl = route.join('');
    }
    const local: string[] = [];
    while (this.peek()?.kind === 'word') local.push(this.tokens[this.at++].text);
    let host: string | null = null;
    if (this.isSpecial('@')) {
      this.at++;
      host = this.phrase()
        .map((w) => w.text)
        .join('');
    }
    while (this.at < this.tokens.length && !this.isSpecial('>')) this.at++;
    if (this.isSpecial('>')) this.at++;
    this.push(name, adl, local.join(''), host);
  }

  private push(
    name: string | null,
    adl: string | null,
    mailbox: string,
    host: string | null,
  ): void {
    // Nothing at all (`<>`, a lone `@`) is not an address.
    if (mailbox === '' && !host) return;
    // Host NIL marks a group in RFC 3501, so a missing domain is spelled out instead.
    this.addresses.push({ name, adl, mailbox, host: host ?? 'MISSING_DOMAIN' });
  }
}

function joinPhrase(words: readonly Token[]): string | null {
  if (words.length === 0) return null;
  return words.map((w) => w.text).join(' ');
}

/** Parses an address-list header value (latin1 text of its bytes). */
export function parseAddressList(text: string): EnvelopeAddress[] {
  return new AddressParser(tokenize(text)).parse();
}
