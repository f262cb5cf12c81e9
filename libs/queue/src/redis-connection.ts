import Redis, { RedisOptions } from 'ioredis';

/**
 * Options for ioredis from a URL: `redis://`, `rediss://`, or `redis+unix:///path.sock`
 * (the embedded server). BullMQ requires maxRetriesPerRequest: null on its connections.
 */
export function redisOptions(url: string): RedisOptions {
  if (url.startsWith('redis+unix://') || url.startsWith('unix://')) {
    return { path: url.replace(/^(redis\+)?unix:\/\//, ''), maxRetriesPerRequest: null };
  }
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis://, rediss:// or redis+unix://; got ${url}`);
  }
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function connectRedis(url: string): Redis {
  return new Redis(redisOptions(url));
}
