import { DiziError } from '@dizi/errors';

/**
 * The one form a number is stored and looked up in, so an MO from "8613800138000" finds
 * the binding made as "+86 138-0013-8000": spaces and dashes dropped, a Chinese mobile
 * reduced to its 11 national digits (what CMPP/SGIP/SMGP carry), other numbers kept
 * with their leading +.
 */
export function canonicalPhone(input: string, field = 'number'): string {
  const s = String(input ?? '').replace(/[\s-]/g, '');
  if (!/^\+?\d{5,20}$/.test(s)) {
    throw new DiziError(
      'invalid',
      `"${input}" is not a phone number (digits, optionally starting with +)`,
      field,
    );
  }
  const cn = /^(?:\+?86)(1\d{10})$/.exec(s);
  return cn ? cn[1] : s;
}
