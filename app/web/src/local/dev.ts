import { serve } from "@hono/node-server";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "../config";
import { createLogger, type Logger } from "../logger";
import { redisAvailable } from "../redis";
import { createRuntime } from "../runtime";
import { devLogFormat, prettyDestination } from "./dev-log";
import { printingMailer } from "./dev-mail";
import { startPglite } from "./pglite";
import { REDIS_INSTALL_HINT, findRedisServer, startRedisServer } from "./redis-server";
import { startSigner, workerPaths } from "./signer";
import { nextFreePort, portInUse, repoRoot, run } from "./util";

// `npm run dev -w app/web`: the whole app on one machine with no accounts; redis-server is the
// only thing to install.
//   PostgreSQL -> PGlite (WebAssembly Postgres with pgcrypto), data in app/web/.dev-data/pglite
//                 (ARA_DEV_MEMORY=1 keeps it in memory; ARA_DEV_DATA_DIR moves .dev-data)
//   Redis      -> redis-server from PATH on a free loopback port (data in .dev-data/redis);
//                 without one the launcher stops and says how to install it
//   Signer     -> the real worker (app/worker/dist/index.js) under Miniflare, in-memory R2
//   Mail       -> printed in this terminal (src/local/dev-mail.ts), links to APP_URL (this
//                 server); set SMTP_HOST (and SMTP_*, MAIL_FROM) to send through a real server
// The three start side by side; PGlite is the slow one. The secrets below are for this machine
// only and are never used anywhere else. Any variable set in the environment (DATABASE_URL,
// REDIS_URL, SIGNER_URL, ...) wins over the default.

const DEV_SECRETS = {
  JWT_SECRET: "dev-only-jwt-secret-not-for-production-0000",
  DATA_KEY: "dev-only-data-key-not-for-production",
  SIGNER_TOKEN: "dev-only-signer-token-0000",
  SIGNING_KEY: "dev-only-signing-key-not-for-production",
};

const cleanups: Array<() => Promise<void>> = [];
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const c of cleanups) await c().catch(() => undefined);
  }
  process.exit(code);
}

function onSignals() {
  // Miniflare installs handlers that exit at once, before PGlite is closed and Redis has
  // flushed; replace them so everything started here shuts down in order (Miniflare's own
  // exit hook still stops workerd if anything goes wrong).
  // SIGHUP: the terminal was closed.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(0));
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(
  logger: Logger,
  what: string,
  start: () => Promise<T>,
  detail: (t: T) => string,
) {
  const t0 = performance.now();
  const result = await start();
  logger.info(`${what} ready in ${seconds(performance.now() - t0)}: ${detail(result)}`);
  return result;
}

async function main() {
  const env: Record<string, string | undefined> = { ...process.env };
  env.JWT_SECRET ??= DEV_SECRETS.JWT_SECRET;
  env.DATA_KEY ??= DEV_SECRETS.DATA_KEY;
  env.HOST ??= "127.0.0.1";
  // Validate everything but the three service URLs now, so a typo is reported before the wait.
  const early = loadConfig({
    ...env,
    DATABASE_URL: env.DATABASE_URL ?? "postgres://pglite@localhost/pglite",
    REDIS_URL: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    SIGNER_URL: env.SIGNER_URL ?? "http://127.0.0.1:8787",
    SIGNER_TOKEN: env.SIGNER_TOKEN ?? DEV_SECRETS.SIGNER_TOKEN,
  });
  const tty = process.stdout.isTTY === true;
  const logger = createLogger(
    early.LOG_LEVEL,
    devLogFormat(env, tty) === "pretty"
      ? prettyDestination(process.stdout, tty && !env.NO_COLOR)
      : undefined,
  );
  const host = early.HOST;
  const port = early.PORT;
  const busy = async () =>
    new Error(
      `port ${port} is in use: stop what listens on ${host}:${port}, or pick another port: PORT=${await nextFreePort(port, host)} npm run dev`,
    );
  if (await portInUse(port, host)) throw await busy();
  // Checked before anything starts, so a missing binary costs no wait. A Redis look-alike would
  // let the app pass here and then behave differently from production (decision 0010).
  if (!env.REDIS_URL && !findRedisServer()) {
    throw new Error(`redis-server was not found on PATH; ${REDIS_INSTALL_HINT}`);
  }
  onSignals();

  const webDir = path.join(repoRoot(), "app", "web");
  const dataDir = env.ARA_DEV_DATA_DIR ?? path.join(webDir, ".dev-data");
  const cacheDir =
    env.ARA_DEV_CACHE_DIR ?? path.join(repoRoot(), "node_modules", ".cache", "ara-web");
  const memory = env.ARA_DEV_MEMORY === "1";
  const starting = [
    !env.SIGNER_URL && "the signer",
    !env.REDIS_URL && "redis-server",
    !env.DATABASE_URL && "PGlite",
  ].filter(Boolean);
  if (starting.length)
    logger.info(`starting ${starting.join(", ")} (data in ${memory ? "memory" : dataDir})`);

  const signer = async () => {
    if (env.SIGNER_URL) return;
    const { script, dir } = workerPaths();
    if (!existsSync(script)) {
      logger.info("signer: building the worker (app/worker/dist/index.js is missing)");
      await run("npm", ["run", "build"], { cwd: dir }).catch((err: Error) => {
        throw new Error(
          `\`npm run build -w app/worker\` failed; fix the worker build and retry:\n${err.message}`,
        );
      });
    }
    const s = await timed(
      logger,
      "signer",
      () =>
        startSigner({
          token: env.SIGNER_TOKEN ?? DEV_SECRETS.SIGNER_TOKEN,
          signingKey: DEV_SECRETS.SIGNING_KEY,
        }),
      (s) => `app/worker under Miniflare with an in-memory R2 bucket at ${s.url}`,
    );
    cleanups.push(s.dispose);
    env.SIGNER_URL = s.url;
    env.SIGNER_TOKEN = s.token;
  };
  const redis = async () => {
    if (env.REDIS_URL) return;
    mkdirSync(path.join(dataDir, "redis"), { recursive: true });
    const r = await timed(
      logger,
      "redis",
      () => startRedisServer({ dir: path.join(dataDir, "redis"), keepDir: true }),
      (r) => `redis-server at ${r.url}, data in ${r.dir}`,
    );
    cleanups.push(r.stop);
    env.REDIS_URL = r.url;
  };
  let poolConfig: import("pg").PoolConfig | undefined;
  const postgres = async () => {
    if (env.DATABASE_URL) return;
    const db = await timed(
      logger,
      "postgres",
      () =>
        startPglite({
          dir: memory ? undefined : path.join(dataDir, "pglite"),
          cacheDir,
          progress: (msg) => logger.info(msg),
        }),
      (db) =>
        `PGlite, ${db.source === "existing" ? "the existing database" : db.source === "snapshot" ? "a new database from the snapshot" : "a new database (initdb)"}`,
    );
    cleanups.push(db.close);
    poolConfig = db.poolConfig;
    // The config schema wants a URL; the pool above is what is actually used.
    env.DATABASE_URL = "postgres://pglite@localhost/pglite";
  };
  // The two child processes are spawned first, so they start while PGlite keeps this thread busy.
  const results = await Promise.allSettled([signer(), redis(), postgres()]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  onSignals(); // again: Miniflare added its own

  // Emailed links point at this server.
  env.APP_URL ??= `http://${host}:${port}`;
  const config = loadConfig(env);
  const runtime = createRuntime(config, {
    platform: "node",
    logger,
    ...(poolConfig ? { poolConfig } : {}),
    ...(config.SMTP_HOST
      ? {}
      : { mailer: printingMailer((t) => process.stdout.write(t), config.MAIL_FROM) }),
  });
  cleanups.unshift(() => runtime.close());
  await runtime.deps.schemaReady();
  if (!(await redisAvailable(runtime.deps.redis, 5000)))
    throw new Error("Redis (REDIS_URL) is not reachable within 5 s; check that it is running");

  const url = `http://${host}:${port}/`;
  const server = serve({ fetch: runtime.app.fetch, port, hostname: host }, () => {
    // performance.now() counts from the start of this process.
    logger.info(`up in ${seconds(performance.now())}`);
    logger.info(`ready: open ${url}`);
  });
  server.once("error", (err: NodeJS.ErrnoException) => {
    // Taken between the check above and now.
    void (err.code === "EADDRINUSE" ? busy() : Promise.resolve(err)).then(fail);
  });
  cleanups.unshift(async () => {
    server.close();
  });
}

// Every failure here is one the person running `npm run dev` fixes from the message, so it is
// printed alone, without a stack trace.
function fail(err: unknown): void {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  void stop(err instanceof ConfigError ? 2 : 1);
}

main().catch(fail);
