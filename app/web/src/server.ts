import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config";
import { redisAvailable } from "./redis";
import { createRuntime } from "./runtime";

// Node entry point: `node app/web/dist/server.js` serves the app on PORT.
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + "\n");
      process.exit(2);
    }
    throw err;
  }
  const runtime = createRuntime(config, { platform: "node" });
  const { logger } = runtime.deps;
  try {
    await runtime.deps.schemaReady();
  } catch (err) {
    logger.fatal(
      { err },
      "database migrations failed; check DATABASE_URL and that the database is up",
    );
    await runtime.close();
    process.exit(1);
  }
  // Take traffic only once Redis is connected (bounded wait): until then the rate limiter
  // would let requests through uncounted. Redis being down is not fatal; /api/ready says so.
  if (!(await redisAvailable(runtime.deps.redis, 5000))) {
    logger.warn("redis is not reachable yet; starting anyway (see /api/ready)");
  }
  const server = serve(
    { fetch: runtime.app.fetch, port: config.PORT, hostname: config.HOST },
    (info) => logger.info({ port: info.port, host: config.HOST }, "ara-web listening"),
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close(() => {
      void runtime.close().then(() => {
        logger.flush();
        process.exit(0);
      });
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  // A crash is reported before the process goes: the error to Sentry, within a bounded wait.
  process.on("uncaughtException", (err) => {
    runtime.deps.telemetry.reportError(err);
    logger.fatal({ err }, "uncaught exception; exiting");
    logger.flush();
    void runtime.deps.telemetry.flush(2000).finally(() => process.exit(1));
  });
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

void main();
