import type { SmsCommandName } from '@dizi/store';

/** What an MO text asks for. */
export type MoCommand =
  | { kind: 'mail'; to: string; body: string }
  | { kind: 'help' }
  /** `name` null: the phone number is the mailbox name (the 139-mail way). */
  | { kind: 'register'; name: string | null }
  /** `password` null: a new one is made and sent back. */
  | { kind: 'password'; password: string | null }
  /** `code` null: the first step, asking for the code. */
  | { kind: 'cancel'; code: string | null }
  | { kind: 'unread' }
  | { kind: 'unknown'; word: string };

type Keyword = SmsCommandName | 'help';

/**
 * Keywords in Chinese, pinyin initials and English (matched after NFKC and lower-casing,
 * so full-width ＺＸ or ＨＥＬＰ count).
 */
const KEYWORDS: Record<string, Keyword> = {
  注册: 'register',
  zc: 'register',
  reg: 'register',
  register: 'register',
  密码: 'password',
  改密: 'password',
  mm: 'password',
  pwd: 'password',
  passwd: 'password',
  password: 'password',
  注销: 'cancel',
  zx: 'cancel',
  cancel: 'cancel',
  未读: 'unread',
  wd: 'unread',
  unread: 'unread',
  帮助: 'help',
  bz: 'help',
  help: 'help',
  h: 'help',
  '?': 'help',
};

/** Chinese keywords may be written straight before their argument ("注销123456"). */
const CHINESE_KEYWORDS = Object.keys(KEYWORDS).filter((k) => /^\p{Script=Han}+$/u.test(k));

/** The first keywords of each command, as the help SMS shows them. */
export const COMMAND_WORDS: Record<SmsCommandName, { zh: string; pinyin: string; en: string }> = {
  register: { zh: '注册', pinyin: 'ZC', en: 'REG' },
  password: { zh: '密码', pinyin: 'MM', en: 'PWD' },
  cancel: { zh: '注销', pinyin: 'ZX', en: 'CANCEL' },
  unread: { zh: '未读', pinyin: 'WD', en: 'UNREAD' },
};

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Full-width letters, digits, ＠ and the ideographic space become their ASCII forms. */
const nfkc = (s: string) => s.normalize('NFKC');

/**
 * Reads an MO text (H4/H5). "address text" is a mail: the address is the first word,
 * split off by a space or Chinese punctuation (a full-width address is read as ASCII);
 * the body is kept exactly as typed. Otherwise the first word may be a command keyword,
 * in Chinese, pinyin initials or English, any case, full-width or not, with any spaces
 * and a `:`/`：`/`,`/`，` before the argument; a Chinese keyword needs no separator
 * before an ASCII argument ("注销123456").
 */
export function parseMoText(text: string): MoCommand {
  const raw = String(text ?? '');
  const m = /^\s*(\S+?)(?:[\s:：,，]+|$)([\s\S]*)$/.exec(raw);
  if (!m) return { kind: 'unknown', word: '' };
  const word = nfkc(m[1]);
  if (ADDRESS.test(word)) return { kind: 'mail', to: word.toLowerCase(), body: m[2].trim() };

  let keyword: Keyword | undefined = KEYWORDS[word.toLowerCase()];
  let arg = nfkc(m[2]).trim();
  if (!keyword) {
    const head = nfkc(raw).trim();
    const zh = CHINESE_KEYWORDS.find((k) => head.startsWith(k));
    const glued = /^(zx|cancel)(\d{6})$/i.exec(word);
    const rest = zh ? head.slice(zh.length).trim() : '';
    // Glued to an account command, only an ASCII argument counts: "密码忘了怎么办" is a
    // sentence, not a new password. Help and unread take no argument.
    if (
      zh &&
      (/^[\x21-\x7e]*$/.test(rest) || KEYWORDS[zh] === 'help' || KEYWORDS[zh] === 'unread')
    ) {
      keyword = KEYWORDS[zh];
      arg = rest;
    } else if (glued) {
      // "ZX123456": the code typed straight after the keyword.
      keyword = 'cancel';
      arg = glued[2];
    }
  }
  switch (keyword) {
    case 'help':
      return { kind: 'help' };
    case 'unread':
      return { kind: 'unread' };
    case 'register':
      return { kind: 'register', name: arg ? arg.toLowerCase() : null };
    case 'password':
      return { kind: 'password', password: arg || null };
    case 'cancel': {
      const code = arg.replace(/\s+/g, '');
      return { kind: 'cancel', code: code || null };
    }
    default:
      return { kind: 'unknown', word: m[1] };
  }
}
