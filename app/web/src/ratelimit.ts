import type { Redis } from "./redis";

export interface LimitResult {
  allowed: boolean;
  count: number;
  remaining: number;
  retryAfter: number;
}

// A fixed window that opens at a key's first hit. The hot path is one INCR (atomic, so counts
// are exact across every app instance sharing the Redis); the hit that creates the counter
// also sets its expiry, and PTTL is only read once a caller is over the limit. A counter left
// without an expiry (a crash between INCR and PEXPIRE) is repaired on its next over-limit hit.
export async function hitLimit(
  redis: Redis,
  key: string,
  limit: number,
  windowMs: number,
): Promise<LimitResult> {
  const count = await redis.incr(key);
  if (count === 1) await redis.pexpire(key, windowMs);
  let retryAfter = Math.ceil(windowMs / 1000);
  if (count > limit) {
    const ttl = await redis.pttl(key);
    if (ttl < 0) await redis.pexpire(key, windowMs);
    else retryAfter = Math.max(1, Math.ceil(ttl / 1000));
  }
  return { allowed: count <= limit, count, remaining: Math.max(0, limit - count), retryAfter };
}
