import { FieldEncodeError } from '@dizi/gateway-kit';

/** Minutes a relative TP-VP octet stands for (TS 23.040 §9.2.3.12.1). */
export function relativeValidityMinutes(vp: number): number {
  if (vp <= 143) return (vp + 1) * 5;
  if (vp <= 167) return 12 * 60 + (vp - 143) * 30;
  if (vp <= 196) return (vp - 166) * 24 * 60;
  return (vp - 192) * 7 * 24 * 60;
}

/** The smallest relative TP-VP octet that lasts at least `minutes` (capped at 63 weeks). */
export function relativeValidity(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new FieldEncodeError('TP-VP', `validity of ${minutes} minutes is not positive`);
  }
  for (let vp = 0; vp <= 255; vp++) if (relativeValidityMinutes(vp) >= minutes) return vp;
  return 255;
}
