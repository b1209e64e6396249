import type { DestinationStream } from "pino";
import pg from "pg";
import { createApp } from "./app";
import type { AppDeps } from "./deps";
import { clientIpResolver, fromHeader, fromHeaders } from "./client-ip";
import type { Config } from "./config";
import { createLogger, type Logger } from "./logger";
import { createSmtpMailer, type Mailer } from "./mail";
import { runMigrations } from "./migrations";
import { createRedis, redisAvailable } from "./redis";
import { SignerClient } from "./signer";
import { createTelemetry, withTimeout } from "./telemetry";
import { instrumentPool, instrumentRedis } from "./telemetry/instrument";
import { createLogArchive, type LogArchive } from "./telemetry/log-archive";

export interface RuntimeOptions {
  // On Vercel the platform's proxy sets the client address headers: always trust them there.
  platform: "node" | "vercel";
  logDestination?: DestinationStream;
  logger?: Logger;
  // Dev mode hands in a pool backed by PGlite.
  poolConfig?: pg.PoolConfig;
  // Dev mode hands in a transport that prints mail (src/local/dev-mail.ts).
  mailer?: Mailer;
}

export interface Runtime {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  /** Where the app's log lines are archived in batches; absent without LOG_ARCHIVE_URL. */
  logArchive?: LogArchive;
  close(): Promise<void>;
}

export function createRuntime(config: Config, options: RuntimeOptions): Runtime {
  const logArchive =
    config.LOG_ARCHIVE_URL && config.LOG_ARCHIVE_TOKEN && !options.logger
      ? createLogArchive({
          url: config.LOG_ARCHIVE_URL,
          token: config.LOG_ARCHIVE_TOKEN,
          batchBytes: config.LOG_ARCHIVE_BATCH_BYTES,
          maxAgeMs: config.LOG_ARCHIVE_MAX_AGE_SECONDS * 1000,
          timeoutMs: config.OTEL_EXPORTER_OTLP_TIMEOUT,
          timer: options.platform === "node",
        })
      : undefined;
  const logger =
    options.logger ??
    createLogger(config.LOG_LEVEL, options.logDestination, {
      buffered: options.platform === "node",
      tee: logArchive?.add,
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
  const telemetry = createTelemetry(config, logger, { pool, checkDependencies });
  logArchive?.attach({ dropped: telemetry.dropped, logger });
  instrumentPool(pool, telemetry.tracer);
  instrumentRedis(redis, telemetry.tracer);
  const signer = new SignerClient(config.SIGNER_URL, config.SIGNER_TOKEN, 5000, telemetry.tracer);
  // The same checks as /api/ready, for the dependency gauge when nobody has called it lately.
  async function checkDependencies() {
    const [database, redisUp, signerUp] = await Promise.all([
      withTimeout(pool.query("SELECT 1"), 3000).then(
        () => true,
        () => false,
      ),
      redisAvailable(redis, 1000).then((ok) =>
        ok
          ? withTimeout(redis.ping(), 1000).then(
              () => true,
              () => false,
            )
          : false,
      ),
      signer.health(),
    ]);
    return { database, redis: redisUp, signer: signerUp };
  }

  // Migrations run as the migrator when one is configured, on a pool of one that is closed
  // as soon as they are done; the app's own pool never holds schema rights.
  const migrate = async () => {
    if (!config.MIGRATION_DATABASE_URL) return runMigrations(pool, logger);
    const migrator = new pg.Pool({
      connectionString: config.MIGRATION_DATABASE_URL,
      max: 1,
      connectionTimeoutMillis: 5000,
      application_name: "ara-web-migrations",
    });
    migrator.on("error", (err) => logger.warn({ err }, "migration connection failed"));
    try {
      return await runMigrations(migrator, logger);
    } finally {
      await migrator.end();
    }
  };
  let migrated: Promise<void> | undefined;
  const schemaReady = () => {
    migrated ??= migrate().then(
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
    mailer: options.mailer ?? createSmtpMailer(config),
    telemetry,
    clientIp: config.CLIENT_IP_HEADER
      ? fromHeader(config.CLIENT_IP_HEADER)
      : options.platform === "vercel"
        ? fromHeaders
        : clientIpResolver(config.TRUST_PROXY),
    schemaReady,
  };
  return {
    app: createApp(deps),
    deps,
    logArchive,
    async close() {
      await Promise.all([telemetry.shutdown(), logArchive?.close()]);
      redis.disconnect();
      await pool.end();
    },
  };
}
