import { carrierTimestamp, carrierTimestampText } from '@dizi/gateway-kit';

/** CONNECT's Timestamp: MMDDHHMMSS as a decimal u32. */
export const cmppTimestamp = carrierTimestamp;

/** Ten digits, with the leading zero of January to September kept (as hashed). */
export const cmppTimestampText = carrierTimestampText;
