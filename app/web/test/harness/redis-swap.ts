import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { startRedisServer, type LocalRedis } from "../../src/local/redis-server";

// A redis-server of the caller's own, which it may stop, swap and start while the app keeps
// running: the setup of the Redis outage and failover tests, and of `npm run drill -- cache`
// (recovery/cache/drill.ts), so the drill times the same swap the tests check. The drill loads
// this file outside vitest: import nothing from vitest or from ./app here.

export interface OwnRedis<App> {
  redis: LocalRedis;
  app: App;
  /** Stops the app, then Redis (also when stopping the app fails). */
  close(): Promise<void>;
}

/** Starts a redis-server, then the app against it; a failed app start stops Redis again. */
export async function withOwnRedis<App extends { close(): Promise<void> }>(
  startApp: (redisUrl: string) => Promise<App>,
): Promise<OwnRedis<App>> {
  const redis = await startRedisServer();
  let app: App;
  try {
    app = await startApp(redis.url);
  } catch (err) {
    await redis.dispose();
    throw err;
  }
  return {
    redis,
    app,
    async close() {
      try {
        await app.close();
      } finally {
        await redis.dispose();
      }
    },
  };
}

/**
 * Replaces the server with a fresh, empty one at the same address, as an Upstash failover to an
 * empty replica (or a rebuilt database) looks to the app: its connection drops, and the server
 * it reconnects to has no keys.
 */
export async function emptyFailover(redis: LocalRedis): Promise<void> {
  await redis.stop();
  for (const entry of await readdir(redis.dir)) {
    await rm(path.join(redis.dir, entry), { recursive: true, force: true });
  }
  await redis.start();
}

/** Polls until `fn` holds; the error names what was awaited. */
export async function until(
  what: string,
  fn: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not the case within ${timeoutMs / 1000} s`);
}
