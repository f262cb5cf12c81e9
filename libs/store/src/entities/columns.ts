import { ValueTransformer } from 'typeorm';

/**
 * 64-bit integers (byte counts over 2 GB, epoch milliseconds) come back from PostgreSQL
 * as strings; every such column goes through this transformer so code sees numbers on
 * both SQLite and PostgreSQL. Values stay far below 2^53.
 */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};
