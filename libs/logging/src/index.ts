import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The structured logger (pino, JSON lines on stdout). `base` names the process role so
 * logs of several nodes can be merged.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
