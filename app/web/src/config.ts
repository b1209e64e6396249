import { z } from "zod";

// Every setting comes from the environment. A missing or invalid variable stops the process at
// startup with a message that names the variable and says how to fix it; values are never echoed
// because most of them are secrets.

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const s = v.trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(s)) return true;
      if (["0", "false", "no", "off"].includes(s)) return false;
      ctx.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const urlWithScheme = (schemes: string[], example: string) =>
  z
    .string({ error: `is required (for example ${example})` })
    .min(1, `is required (for example ${example})`)
    .refine(
      (v) => {
        try {
          const u = new URL(v);
          return schemes.includes(u.protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${schemes.map((s) => s + "//").join(" or ")}` },
    );

const secret = (min: number, hint: string) =>
  z
    .string({ error: `is required (${hint})` })
    .min(min, `must be at least ${min} characters (${hint})`);

export const configSchema = z.object({
  DATABASE_URL: urlWithScheme(["postgres:", "postgresql:"], "postgres://user:pass@host:5432/db"),
  REDIS_URL: urlWithScheme(["redis:", "rediss:"], "rediss://default:token@host:6379"),
  SIGNER_URL: urlWithScheme(["http:", "https:"], "https://api.example.com").transform((v) =>
    v.replace(/\/+$/, ""),
  ),
  SIGNER_TOKEN: secret(16, "the bearer token the signed-URL worker expects"),
  JWT_SECRET: secret(32, "generate one with `openssl rand -base64 48`"),
  DATA_KEY: secret(
    32,
    "the pgcrypto key for contact emails; generate with `openssl rand -base64 32`",
  ),
  // Optional: a separate connection for migrations. In production the app's own role can only
  // read and write rows (least privilege) and goes through PgBouncer; migrations need a role
  // that may change the schema, on a direct connection (their advisory lock is per session).
  MIGRATION_DATABASE_URL: urlWithScheme(
    ["postgres:", "postgresql:"],
    "postgres://migrator:pass@host:5432/db",
  ).optional(),
  // Optional: the header a trusted proxy puts the client's address in (Cloudflare:
  // cf-connecting-ip). Only set it when every request reaches the app through that proxy.
  CLIENT_IP_HEADER: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, "must be a lowercase header name such as cf-connecting-ip")
    .optional(),
  PORT: int(1, 65535, 3000),
  HOST: z.string().min(1).optional().default("0.0.0.0"),
  TRUST_PROXY: bool(false),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000_000, 100),
  REPORT_LIMIT_PER_HOUR: int(1, 1_000_000_000, 5),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400, 900),
  REFRESH_TOKEN_TTL_SECONDS: int(60, 90 * 86_400, 7 * 86_400),
  WIZARD_TTL_SECONDS: int(60, 90 * 86_400, 7 * 86_400),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024, 64 * 1024),
  DATABASE_POOL_MAX: int(1, 100, 10),
  // Email (components/email: Amazon SES over SMTP), all optional: without SMTP_HOST the app
  // sends no mail and the mail routes answer 503 (dev prints mail instead, src/local/dev-mail.ts).
  SMTP_HOST: z
    .string()
    .regex(
      /^[A-Za-z0-9.-]{1,253}$/,
      "must be a host name such as email-smtp.eu-west-1.amazonaws.com",
    )
    .optional(),
  SMTP_PORT: int(1, 65535, 587),
  SMTP_USER: z.string().min(1).max(128).optional(),
  SMTP_PASSWORD: z.string().min(1).max(256).optional(),
  // Only for a local test server without TLS; SES always offers STARTTLS.
  SMTP_REQUIRE_TLS: bool(true),
  MAIL_FROM: z
    .email({
      error: "must be an address on the verified sending domain, such as ara@mail.example.com",
    })
    .optional(),
  // The public origin emailed links point at. Configured, never taken from the Host header, so a
  // forged Host cannot make the app mail someone a link to another site.
  APP_URL: urlWithScheme(["http:", "https:"], "https://ara.example.com")
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  REPORT_EMAIL_LIMIT_PER_HOUR: int(1, 1000, 3),
  REPORT_LINK_TTL_DAYS: int(1, 365, 30),
  RECOVERY_LIMIT_PER_EMAIL_PER_HOUR: int(1, 1000, 3),
  RECOVERY_LIMIT_PER_IP_PER_HOUR: int(1, 100_000, 10),
  // Telemetry, all optional: without an endpoint nothing is exported (the instruments still
  // answer at /api/metrics), without a DSN no error is reported.
  OTEL_EXPORTER_OTLP_ENDPOINT: urlWithScheme(
    ["http:", "https:"],
    "https://otlp-gateway-prod-us-east-0.grafana.net/otlp",
  )
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  // "Authorization=Basic <base64 instance:token>" (comma-separated key=value, values may be
  // percent-encoded): a credential.
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return {};
      const headers: Record<string, string> = {};
      for (const part of v.split(",")) {
        const eq = part.indexOf("=");
        const key = part.slice(0, eq).trim();
        let value: string;
        try {
          value = decodeURIComponent(part.slice(eq + 1).trim());
        } catch {
          value = "";
        }
        if (eq < 1 || !/^[A-Za-z0-9-]+$/.test(key) || value === "") {
          ctx.addIssue({
            code: "custom",
            message: "must be comma-separated key=value pairs, e.g. Authorization=Basic%20<base64>",
          });
          return z.NEVER;
        }
        headers[key.toLowerCase()] = value;
      }
      return headers;
    }),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional().default("ara-web"),
  // The deployment's name in error reports and, as deployment.environment.name, in traces
  // and metrics (dev, staging, prod).
  SENTRY_ENVIRONMENT: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, "must be a short lowercase name such as prod")
    .optional()
    .default("development"),
  // How often metrics are pushed; requests on Vercel also flush at the end of each invocation.
  OTEL_METRIC_EXPORT_INTERVAL: int(1000, 86_400_000, 60_000),
  // The share of traces kept (parent-based: a caller's sampled traceparent is kept). Unsampled
  // requests still get trace ids in their logs and propagate them; they are not exported.
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return 0.1;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 1) {
        ctx.addIssue({ code: "custom", message: "must be a number from 0 to 1" });
        return z.NEVER;
      }
      return n;
    }),
  // Upper bound on one export (and on the flush at the end of a Vercel invocation).
  OTEL_EXPORTER_OTLP_TIMEOUT: int(100, 30_000, 3000),
  SENTRY_DSN: urlWithScheme(["http:", "https:"], "https://<key>@o0.ingest.sentry.io/<project>")
    .refine((v) => {
      const u = new URL(v);
      return u.username !== "" && /^\/(.+\/)?\d+$/.test(u.pathname);
    }, "must be a Sentry DSN: https://<public key>@<host>/<project id>")
    .optional(),
  // The log archive (the signer worker's POST /r2/logs/app), where the stack has one: a copy of
  // every log line goes there in gzip batches, kept for the stack's retention. Both or neither.
  LOG_ARCHIVE_URL: urlWithScheme(["http:", "https:"], "https://api.example.com/r2/logs/app")
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  LOG_ARCHIVE_TOKEN: secret(16, "the worker's LOG_INGEST_TOKEN").optional(),
  // A batch goes once it holds this many bytes of lines, or once its oldest line is this old
  // (checked by the flush after each round of responses on Vercel, and at least every 10 s on
  // the Node server; 0 sends at every check).
  LOG_ARCHIVE_BATCH_BYTES: int(1024, 1_000_000, 256 * 1024),
  LOG_ARCHIVE_MAX_AGE_SECONDS: int(0, 3600, 60),
  // What reports are compared with: the storage the stack was planned for, and how long the
  // bucket's lifecycle keeps a report (older rows no longer occupy storage).
  REPORT_STORAGE_CAPACITY_BYTES: int(1, Number.MAX_SAFE_INTEGER, 10 * 1024 ** 3),
  REPORT_RETENTION_DAYS: int(1, 3650, 30),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional()
    .default("info"),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration; fix these environment variables and restart:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.shape)) input[key] = env[key];
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      // zod's default for an absent key is "expected string, received undefined": say "is required".
      const msg =
        issue.code === "invalid_type" &&
        input[name] === undefined &&
        !issue.message.includes("required")
          ? "is required"
          : issue.message;
      return `${name} ${msg}`;
    });
    throw new ConfigError(problems);
  }
  const c = parsed.data;
  if ((c.LOG_ARCHIVE_URL === undefined) !== (c.LOG_ARCHIVE_TOKEN === undefined)) {
    throw new ConfigError([
      `${c.LOG_ARCHIVE_URL === undefined ? "LOG_ARCHIVE_URL" : "LOG_ARCHIVE_TOKEN"} must be set too: LOG_ARCHIVE_URL and LOG_ARCHIVE_TOKEN go together (the log archive's endpoint and its bearer token)`,
    ]);
  }
  if (c.SMTP_HOST && (!c.MAIL_FROM || !c.APP_URL)) {
    throw new ConfigError([
      `SMTP_HOST is set, so ${[!c.MAIL_FROM && "MAIL_FROM", !c.APP_URL && "APP_URL"].filter(Boolean).join(" and ")} must be set too (the From address and the origin of emailed links)`,
    ]);
  }
  return c;
}
