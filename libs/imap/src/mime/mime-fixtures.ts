/**
 * Messages used by the MIME specs; their BODYSTRUCTURE answers are worked out by hand
 * in the specs (sizes counted byte by byte, line breaks as CRLF).
 */
const crlf = (lines: string[]): string => lines.join('\r\n');

/** multipart/mixed: (multipart/alternative: text/plain QP + text/html) + a PDF attachment. */
export const ALTERNATIVE_WITH_ATTACHMENT = Buffer.from(
  crlf([
    'From: "Zhang San" <zhang@example.cn>',
    'To: li@example.cn, Group: a@b.c, d@e.f;',
    'Subject: =?UTF-8?B?5rWL6K+V?=',
    'Date: Mon, 23 Nov 2026 10:00:00 +0800',
    'Message-ID: <m1@example.cn>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Hello =E4=BD=A0=E5=A5=BD',
    'second line',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Hello</p>',
    '--inner--',
    '--outer',
    'Content-Type: application/pdf; name="a.pdf"',
    'Content-Disposition: attachment;\r\n filename*0*=utf-8\'\'%E6%8A%A5;\r\n filename*1=".pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <att1>',
    '',
    'JVBERi0xLjQK',
    '--outer--',
    'epilogue',
    '',
  ]),
  'utf8',
);

/** A forward: text/plain + message/rfc822 holding a one-part message. */
export const FORWARD = Buffer.from(
  crlf([
    'From: a@x.cn',
    'Subject: Fwd',
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'see below',
    '--b',
    'Content-Type: message/rfc822',
    '',
    'From: "B" <b@y.cn>',
    'Subject: orig',
    '',
    'original body',
    '--b--',
    '',
  ]),
  'utf8',
);

/** RFC 3501 6.4.5's example answer: a 3028-byte, 92-line US-ASCII text. */
export function rfc3501TextMessage(): Buffer {
  const lines = Array.from(
    { length: 91 },
    (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(22)}`,
  );
  lines.push('last line of the text.x');
  return Buffer.from(
    `Subject: example\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n${lines.join('\r\n')}\r\n`,
  );
}
