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
  return parsed.data;
}
