import type { DestinationStream } from "pino";
import pg from "pg";
import { createApp, type AppDeps } from "./app";
import { clientIpResolver, fromHeaders } from "./client-ip";
import type { Config } from "./config";
import { createLogger, type Logger } from "./logger";
import { createMetrics } from "./metrics";
import { runMigrations } from "./migrations";
import { createRedis } from "./redis";
import { SignerClient } from "./signer";

export interface RuntimeOptions {
  // On Vercel the platform's proxy sets the client address headers: always trust them there.
  platform: "node" | "vercel";
  logDestination?: DestinationStream;
  logger?: Logger;
  // Dev mode hands in a pool backed by PGlite.
  poolConfig?: pg.PoolConfig;
}

export interface Runtime {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  close(): Promise<void>;
}

export function createRuntime(config: Config, options: RuntimeOptions): Runtime {
  const logger =
    options.logger ??
    createLogger(config.LOG_LEVEL, options.logDestination, {
      buffered: options.platform === "node",
    });
  const pool = new pg.Pool(
    options.poolConfig ?? {
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10_000,
      statement_timeout: 5000,
      query_timeout: 6000,
      application_name: "ara-web",
    },
  );
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", (err) => logger.warn({ err }, "idle database connection failed"));
  const redis = createRedis(config.REDIS_URL, logger);
  const signer = new SignerClient(config.SIGNER_URL, config.SIGNER_TOKEN);

  let migrated: Promise<void> | undefined;
  const schemaReady = () => {
    migrated ??= runMigrations(pool, logger).then(
      () => undefined,
      (err: unknown) => {
        migrated = undefined; // retry on the next request instead of failing forever
        throw err;
      },
    );
    return migrated;
  };

  const deps: AppDeps = {
    config,
    logger,
    pool,
    redis,
    signer,
    metrics: createMetrics(),
    clientIp: options.platform === "vercel" ? fromHeaders : clientIpResolver(config.TRUST_PROXY),
    schemaReady,
  };
  return {
    app: createApp(deps),
    deps,
    async close() {
      redis.disconnect();
      await pool.end();
    },
  };
}
