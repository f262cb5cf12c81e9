import { existsSync } from 'node:fs';
import { DiziConfig } from '@dizi/config';
import { createLogger } from '@dizi/logging';
import { RedisSupervisor } from '@dizi/queue';

/** The Redis of a running server: REDIS_URL, or the private one's socket when it exists. */
export function serverRedisUrl(config: DiziConfig): string | null {
  if (config.redisUrl) return config.redisUrl;
  const sup = new RedisSupervisor(config.dataDir, createLogger('silent'));
  return existsSync(sup.socketPath) ? sup.url() : null;
}
