/**
 * GSM 03.38 (3GPP TS 23.038 §6.2.1) default alphabet and its extension table.
 * Index = septet value. 0x1B is the escape to the extension table, not a character.
 */
export const GSM7_ESCAPE = 0x1b;

export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table (escape + code): the characters every phone supports. */
export const GSM7_EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

const basicIndex = new Map<string, number>();
for (let i = 0; i < GSM7_BASIC.length; i++) {
  if (i !== GSM7_ESCAPE) basicIndex.set(GSM7_BASIC[i], i);
}
const extensionIndex = new Map<string, number>();
for (const [code, ch] of GSM7_EXTENSION) extensionIndex.set(ch, code);

/** Septets for one character: one for the basic table, two (escape, code) for the extension. */
export function gsm7SeptetsOf(ch: string): number[] | undefined {
  const basic = basicIndex.get(ch);
  if (basic !== undefined) return [basic];
  const ext = extensionIndex.get(ch);
  return ext === undefined ? undefined : [GSM7_ESCAPE, ext];
}
