/**
 * What an SMTP reply means for a recipient: the basic code, the enhanced status code
 * (RFC 3463) and whether it is final. The enhanced code is always filled in, derived
 * from the basic code's class when the server did not send one, because a DSN's
 * Status field (RFC 3464 2.3.4) is mandatory.
 */
export interface SmtpReply {
  /** Basic reply code (RFC 5321 4.2), e.g. 550. */
  code: number;
  /** Enhanced status code (RFC 3463), e.g. "5.1.1". */
  enhancedCode: string;
  /** The reply text without the codes, multi-line replies joined with a space. */
  text: string;
  /** The reply as received, lines joined with a space (for Diagnostic-Code). */
  raw: string;
}

const BASIC_CODE = /^([2-5]\d\d)[ -]?/;
const ENHANCED_CODE = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)/;

/**
 * Parses one SMTP reply (possibly multi-line, as nodemailer hands it over) into its
 * parts. Returns null when the text does not start with a reply code, e.g. a local
 * error message.
 */
export function parseSmtpReply(response: string): SmtpReply | null {
  const lines = response
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const first = lines[0]?.match(BASIC_CODE);
  if (!first) return null;
  const code = Number(first[1]);
  const texts: string[] = [];
  let enhancedCode: string | null = null;
  for (const line of lines) {
    // Each line of a multi-line reply repeats the code ("250-..." then "250 ...").
    let rest = line.replace(BASIC_CODE, '');
    const enhanced = rest.match(ENHANCED_CODE);
    // RFC 3463: the class of the enhanced code must agree with the basic code.
    if (enhanced && enhanced[1] === String(code)[0]) {
      enhancedCode ??= `${enhanced[1]}.${Number(enhanced[2])}.${Number(enhanced[3])}`;
      rest = rest.slice(enhanced[0].length);
    }
    if (rest.length > 0) texts.push(rest);
  }
  return {
    code,
    enhancedCode: enhancedCode ?? `${String(code)[0]}.0.0`,
    text: texts.join(' '),
    raw: `${code} ${enhancedCode ? `${enhancedCode} ` : ''}${texts.join(' ')}`.trim(),
  };
}

/** 5xx: the server will refuse this again; 4xx: try later (RFC 5321 4.2.1). */
export function isPermanentCode(code: number): boolean {
  return code >= 500 && code < 600;
}
