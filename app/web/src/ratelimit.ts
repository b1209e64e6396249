import type { Redis } from "./redis";

export interface LimitResult {
  allowed: boolean;
  count: number;
  remaining: number;
  retryAfter: number;
}

// A fixed window that opens at the key's first hit: SET NX PX creates the counter with its
// expiry, INCR counts, PTTL says when the window closes. One round trip (MULTI/EXEC), atomic,
// and exact across every app instance sharing the Redis.
export async function hitLimit(
  redis: Redis,
  key: string,
  limit: number,
  windowMs: number,
): Promise<LimitResult> {
  const replies = await redis
    .multi()
    .set(key, "0", "PX", windowMs, "NX")
    .incr(key)
    .pttl(key)
    .exec();
  if (!replies) throw new Error("rate limit transaction aborted");
  for (const [err] of replies) if (err) throw err;
  const count = Number(replies[1]![1]);
  let ttl = Number(replies[2]![1]);
  if (ttl < 0) {
    // Only possible if a key lost its expiry (e.g. restored without TTL); never let it live forever.
    await redis.pexpire(key, windowMs);
    ttl = windowMs;
  }
  return {
    allowed: count <= limit,
    count,
    remaining: Math.max(0, limit - count),
    retryAfter: Math.max(1, Math.ceil(ttl / 1000)),
  };
}
