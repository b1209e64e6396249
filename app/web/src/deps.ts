import type { Context, MiddlewareHandler } from "hono";
import type pg from "pg";
import type { Config } from "./config";
import type { AppEnv } from "./http";
import type { Logger } from "./logger";
import type { Mailer } from "./mail";
import type { Redis } from "./redis";
import type { SessionService } from "./sessions";
import type { SignerClient } from "./signer";
import type { Telemetry } from "./telemetry";

// The app's dependencies, in a module of their own: app.ts wires them, and the middleware and
// the route modules receive them, so none of those needs to import app.ts back.

export interface AppDeps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  redis: Redis;
  signer: SignerClient;
  // Outgoing mail (SES over SMTP in production, printed in dev, absent when not configured).
  mailer: Mailer;
  telemetry: Telemetry;
  // Resolves the caller's address: from the socket, or from proxy headers (see client-ip.ts).
  clientIp: (c: Context) => string;
  // Resolves once the schema is migrated (on Vercel, lazily on first use).
  schemaReady: () => Promise<void>;
}

/** What each route module receives: the app's dependencies and what is built once from them. */
export interface RouteDeps extends AppDeps {
  sessions: SessionService;
  requireSession: MiddlewareHandler<AppEnv>;
}
