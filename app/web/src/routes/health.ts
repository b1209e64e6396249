import type { Context, Hono } from "hono";
import type { RouteDeps } from "../deps";
import type { AppEnv } from "../http";
import { redisAvailable } from "../redis";
import { PROMETHEUS_CONTENT_TYPE, type Dependency } from "../telemetry";

async function timed<T>(fn: () => Promise<T>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return Math.round((performance.now() - start) * 100) / 100;
}

/**
 * Health for operations: the process (`/api/health`), each dependency with its latency, the
 * readiness that Cloudflare's health checks probe (`/api/ready`), and Prometheus metrics.
 */
export function healthRoutes(
  app: Hono<AppEnv>,
  { pool, redis, signer, telemetry, logger }: RouteDeps,
) {
  app.get("/api/health", (c) => c.json({ status: "ok" }));

  const checkDatabase = () => timed(() => pool.query("SELECT 1"), 3000);
  const checkRedis = async () => {
    if (!(await redisAvailable(redis, 1000))) throw new Error("not connected");
    return timed(() => redis.ping(), 1000);
  };

  const healthRoute =
    (name: Dependency, check: () => Promise<number>) => async (c: Context<AppEnv>) => {
      try {
        const latencyMs = await check();
        telemetry.setDependencyUp(name, true);
        return c.json({ status: "ok", latencyMs });
      } catch (err) {
        telemetry.setDependencyUp(name, false);
        logger.warn({ dependency: name, err }, "health check failed");
        return c.json({ status: "error", message: `${name} is unavailable` }, 503);
      }
    };
  app.get("/api/health/database", healthRoute("database", checkDatabase));
  app.get("/api/health/redis", healthRoute("redis", checkRedis));

  app.get("/api/ready", async (c) => {
    const names = ["database", "redis", "signer"] as const;
    const values = await Promise.all([
      checkDatabase().then(
        () => true,
        () => false,
      ),
      checkRedis().then(
        () => true,
        () => false,
      ),
      signer.health(),
    ]);
    const results: Record<string, "ok" | "error"> = {};
    const failed: string[] = [];
    for (const [i, name] of names.entries()) {
      const ok = values[i] === true;
      telemetry.setDependencyUp(name, ok);
      results[name] = ok ? "ok" : "error";
      if (!ok) failed.push(name);
    }
    if (failed.length === 0) return c.json({ status: "ok", checks: results });
    return c.json(
      {
        status: "error",
        error: "not_ready",
        message: `Unavailable: ${failed.join(", ")}`,
        failed,
        checks: results,
      },
      503,
    );
  });

  app.get("/api/metrics", async (c) => {
    return c.body(await telemetry.metricsText(), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
    });
  });
}
