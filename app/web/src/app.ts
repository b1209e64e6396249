import { Hono } from "hono";
import type { AppDeps, RouteDeps } from "./deps";
import { fail, type AppEnv } from "./http";
import {
  accessLog,
  apiRateLimit,
  declaredBodyLimit,
  errorHandler,
  noStore,
  requireSession,
} from "./middleware";
import { renderPage } from "./page";
import { auditRoutes } from "./routes/audits";
import { healthRoutes } from "./routes/health";
import { mailRoutes } from "./routes/mail";
import { sessionRoutes } from "./routes/sessions";
import { vitalsRoutes } from "./routes/vitals";
import { wizardRoutes } from "./routes/wizard";
import { SessionService } from "./sessions";

/**
 * The app: middleware in the order it runs (access log, then on `/api/*` no-store, the per-IP
 * rate limit and the body limit), then the routes, one module per area under `routes/`, and
 * the page.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config, logger, redis, telemetry } = deps;
  const sessions = new SessionService(
    redis,
    config.JWT_SECRET,
    config.ACCESS_TOKEN_TTL_SECONDS,
    config.REFRESH_TOKEN_TTL_SECONDS,
  );
  const routeDeps: RouteDeps = {
    ...deps,
    sessions,
    requireSession: requireSession(sessions, redis, telemetry),
  };
  const page = renderPage();
  const app = new Hono<AppEnv>();

  app.use("*", accessLog(telemetry, logger));
  app.onError(errorHandler(telemetry, logger));
  app.notFound((c) => fail(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}`));
  app.use("/api/*", noStore());
  app.use("/api/*", apiRateLimit(deps));
  app.use("/api/*", declaredBodyLimit(config.BODY_LIMIT_BYTES));

  healthRoutes(app, routeDeps);
  sessionRoutes(app, routeDeps);
  wizardRoutes(app, routeDeps);
  auditRoutes(app, routeDeps);
  mailRoutes(app, routeDeps);
  vitalsRoutes(app, routeDeps);

  // The wizard page.
  app.get("/", (c) => {
    c.header("content-security-policy", page.csp);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    return c.html(page.html);
  });

  return app;
}
