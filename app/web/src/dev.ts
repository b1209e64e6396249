import { serve } from "@hono/node-server";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "./config";
import { createLogger } from "./logger";
import { REDIS_INSTALL_HINT, startRedisServer, findRedisServer } from "./local/redis-server";
import { startSigner, workerPaths } from "./local/signer";
import { repoRoot } from "./local/util";
import { redisAvailable } from "./redis";
import { createRuntime } from "./runtime";

// `npm run dev -w app/web`: the whole app on one machine with no accounts; redis-server is the
// only thing to install.
//   PostgreSQL -> PGlite (WebAssembly Postgres with pgcrypto), data in app/web/.dev-data/pglite
//                 (ARA_DEV_MEMORY=1 keeps it in memory; ARA_DEV_DATA_DIR moves .dev-data)
//   Redis      -> redis-server from PATH on a free loopback port (data in .dev-data/redis);
//                 without one the launcher stops and says how to install it
//   Signer     -> the real worker (app/worker/dist/index.js) under Miniflare, in-memory R2
// The secrets below are for this machine only and are never used anywhere else. Any variable
// set in the environment (DATABASE_URL, REDIS_URL, SIGNER_URL, ...) wins over the default.

const DEV_SECRETS = {
  JWT_SECRET: "dev-only-jwt-secret-not-for-production-0000",
  DATA_KEY: "dev-only-data-key-not-for-production",
  SIGNER_TOKEN: "dev-only-signer-token-0000",
  SIGNING_KEY: "dev-only-signing-key-not-for-production",
};

async function main() {
  const logger = createLogger(process.env.LOG_LEVEL ?? "info");
  const webDir = path.join(repoRoot(), "app", "web");
  const dataDir = process.env.ARA_DEV_DATA_DIR ?? path.join(webDir, ".dev-data");
  const cleanups: Array<() => Promise<void>> = [];
  const env: Record<string, string | undefined> = { ...process.env };
  // Checked before anything starts, so a missing binary costs no wait. A Redis look-alike would
  // let the app pass here and then behave differently from production (decision 0010).
  if (!env.REDIS_URL && !findRedisServer()) {
    throw new Error(`redis-server was not found on PATH; ${REDIS_INSTALL_HINT}`);
  }

  // --- signer: the real worker under Miniflare -----------------------------------------
  if (!env.SIGNER_URL) {
    const { script, dir } = workerPaths();
    if (!existsSync(script)) {
      logger.info("building the worker (app/worker/dist/index.js is missing)");
      const r = spawnSync("npm", ["run", "build"], { cwd: dir, stdio: "inherit" });
      if (r.status !== 0)
        throw new Error("`npm run build -w app/worker` failed; fix the worker build and retry");
    }
    const signer = await startSigner({
      token: env.SIGNER_TOKEN ?? DEV_SECRETS.SIGNER_TOKEN,
      signingKey: DEV_SECRETS.SIGNING_KEY,
    });
    cleanups.push(signer.dispose);
    env.SIGNER_URL = signer.url;
    env.SIGNER_TOKEN = signer.token;
    logger.info(
      { signer: signer.url },
      "signer: app/worker under Miniflare with an in-memory R2 bucket",
    );
  }

  // --- redis ------------------------------------------------------------------------------
  if (!env.REDIS_URL) {
    mkdirSync(path.join(dataDir, "redis"), { recursive: true });
    const redis = await startRedisServer({ dir: path.join(dataDir, "redis"), keepDir: true });
    cleanups.push(redis.stop);
    env.REDIS_URL = redis.url;
    logger.info({ redis: redis.url }, "redis: local redis-server");
  }

  // --- postgres -------------------------------------------------------------------------
  let poolConfig;
  if (!env.DATABASE_URL) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { pgcrypto } = await import("@electric-sql/pglite/contrib/pgcrypto");
    const { createPgConfig } = await import("@electric-sql/pglite/node-postgres");
    const memory = env.ARA_DEV_MEMORY === "1";
    const pgliteDir = path.join(dataDir, "pglite");
    if (!memory) mkdirSync(pgliteDir, { recursive: true });
    const pglite = await PGlite.create(memory ? "memory://" : pgliteDir, {
      extensions: { pgcrypto },
    });
    cleanups.push(() => pglite.close());
    poolConfig = createPgConfig(pglite) as unknown as import("pg").PoolConfig;
    // The config schema wants a URL; the pool above is what is actually used.
    env.DATABASE_URL = "postgres://pglite@localhost/pglite";
    logger.info({ dir: memory ? "memory" : pgliteDir }, "postgres: PGlite (in-process)");
  }

  env.JWT_SECRET ??= DEV_SECRETS.JWT_SECRET;
  env.DATA_KEY ??= DEV_SECRETS.DATA_KEY;
  env.HOST ??= "127.0.0.1";
  const config = loadConfig(env);
  const runtime = createRuntime(config, {
    platform: "node",
    logger,
    ...(poolConfig ? { poolConfig } : {}),
  });
  cleanups.unshift(() => runtime.close());
  await runtime.deps.schemaReady();
  if (!(await redisAvailable(runtime.deps.redis, 5000)))
    throw new Error("Redis (REDIS_URL) is not reachable within 5 s; check that it is running");

  const server = serve(
    { fetch: runtime.app.fetch, port: config.PORT, hostname: config.HOST },
    (info) =>
      logger.info(`ARA dev server ready: open http://${config.HOST}:${info.port}/ in a browser`),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    for (const c of cleanups) await c().catch(() => undefined);
    process.exit(0);
  };
  // Miniflare installs signal handlers that exit at once, before PGlite is closed and Redis has
  // flushed; replace them so everything started here shuts down in order (Miniflare's own
  // exit hook still stops workerd if anything goes wrong).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop());
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ara dev: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
