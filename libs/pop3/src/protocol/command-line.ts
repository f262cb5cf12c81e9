/** A POP3 command line split into its keyword (upper-cased) and what follows it. */
export interface CommandLine {
  readonly keyword: string;
  /** Everything after the first space, as sent (PASS keeps spaces in passwords). */
  readonly rest: string;
  /** `rest` split on blanks. */
  readonly args: readonly string[];
}

/** RFC 1939 3: keywords are three or four characters, case-insensitive. */
const KEYWORD = /^[A-Za-z]{3,4}$/;

/** Undefined when the line does not start with a keyword. */
export function parseCommandLine(line: Buffer): CommandLine | undefined {
  const text = line.toString('utf8');
  const space = text.indexOf(' ');
  const keyword = space === -1 ? text : text.slice(0, space);
  if (!KEYWORD.test(keyword)) return undefined;
  const rest = space === -1 ? '' : text.slice(space + 1);
  const trimmed = rest.trim();
  return {
    keyword: keyword.toUpperCase(),
    rest,
    args: trimmed ? trimmed.split(/[ \t]+/) : [],
  };
}

/** Ten digits hold every message number a maildrop can have and fit a double exactly. */
const DECIMAL = /^[0-9]{1,10}$/;

/**
 * A message number or line count as sent; undefined when it is not a plain decimal
 * (signs, huge values, garbage). Range checks against the maildrop come later.
 */
export function parseDecimal(token: string | undefined): number | undefined {
  if (token === undefined || !DECIMAL.test(token)) return undefined;
  return Number(token);
}
