import { Redis } from "ioredis";
import type { Logger } from "./logger";

export type { Redis };

export function createRedis(url: string, logger: Logger): Redis {
  const u = new URL(url);
  const redis = new Redis(url, {
    // RESP2 is what every Redis-compatible service (Upstash included) speaks.
    protocol: 2,
    disableClientInfo: true,
    ...(u.protocol === "rediss:" ? { tls: { servername: u.hostname } } : {}),
    connectTimeout: 3000,
    commandTimeout: 2000,
    maxRetriesPerRequest: 1,
    // Commands issued in the same tick (many concurrent requests) go out in one write.
    enableAutoPipelining: true,
    // Reconnect quickly and forever: an outage must heal without a restart.
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  let lastWarn = 0;
  redis.on("error", (err: Error & { code?: string }) => {
    // A down Redis emits an error per reconnect attempt; one line every 10 s is enough.
    const now = Date.now();
    if (now - lastWarn > 10_000) {
      lastWarn = now;
      logger.warn({ err }, "redis connection error");
    }
  });
  redis.on("ready", () => {
    everReady.add(redis);
    logger.info("redis ready");
  });
  return redis;
}

const everReady = new WeakSet<Redis>();

export class DependencyUnavailableError extends Error {
  constructor(readonly dependency: string) {
    super(`${dependency} is unavailable; retry shortly`);
    this.name = "DependencyUnavailableError";
  }
}

// Fail fast during an outage instead of queueing commands; on a cold start wait briefly for the
// first connection.
export async function redisAvailable(redis: Redis, coldStartWaitMs = 2000): Promise<boolean> {
  if (redis.status === "ready") return true;
  if (everReady.has(redis) || redis.status === "end") return false;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), coldStartWaitMs);
    redis.once("ready", onReady);
  });
}

/**
 * What ioredis rejects a command in flight with when the connection drops under it (a
 * failover, a restart) or Redis stops answering (`commandTimeout`): the dependency is away,
 * not the request wrong.
 */
export function isRedisUnavailable(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === "MaxRetriesPerRequestError" ||
      err.message === "Connection is closed." ||
      err.message === "Command timed out")
  );
}

export async function requireRedis(redis: Redis): Promise<void> {
  if (!(await redisAvailable(redis))) throw new DependencyUnavailableError("redis");
}
