import { pino, type DestinationStream, type Logger } from "pino";
import { logIds } from "./telemetry/context";

export type { Logger };

// Request and response bodies are never logged. Redaction is the second line of defence for
// fields that might still carry a secret or an email in an object we do log. Exact paths only:
// pino's wildcard redaction costs several percent of throughput on every log line.
const SENSITIVE = [
  "authorization",
  "cookie",
  "email",
  "password",
  "token",
  "accessToken",
  "refreshToken",
  "url",
  "downloadUrl",
  "connectionString",
  "body",
  "DATABASE_URL",
  "REDIS_URL",
  "SIGNER_TOKEN",
  "JWT_SECRET",
  "DATA_KEY",
];
export const REDACT_PATHS = [
  ...SENSITIVE,
  ...["headers", "req", "req.headers", "config", "env", "audit"].flatMap((parent) =>
    SENSITIVE.map((k) => `${parent}.${k}`),
  ),
];

export interface LoggerOptions {
  // Buffer writes to stdout (long-running Node server). Serverless instances can be frozen
  // right after a response, so they write synchronously.
  buffered?: boolean;
  // Receives a copy of every line written (the log archive, src/telemetry/log-archive.ts).
  tee?: (line: string) => void;
}

export function createLogger(
  level: string,
  destination?: DestinationStream,
  options: LoggerOptions = {},
): Logger {
  return pino(
    {
      level,
      base: { service: "ara-web" },
      // Every line written while serving a request names it: trace_id, span_id, request_id.
      mixin: () => logIds(),
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are logged by message and code only: a stack or a driver error object can carry
      // query parameters or URLs with credentials.
      serializers: { err: safeError },
      ...(options.tee && {
        hooks: {
          streamWrite: (line: string) => {
            options.tee!(line);
            return line;
          },
        },
      }),
    },
    destination ??
      (options.buffered ? pino.destination({ dest: 1, sync: false, minLength: 4096 }) : undefined),
  );
}

export function safeError(err: unknown): { type: string; message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      type: err.name,
      message: scrub(err.message),
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  return { type: typeof err, message: "non-error value thrown" };
}

// Connection strings and bearer tokens can appear inside driver messages; strip them. Each
// pattern may only start where a run of its characters starts (the lookbehinds): otherwise a
// long run without a match is retried from every position, quadratic in its length, and any
// client can send one (20,000 characters took 0.6 s; now 0.5 ms).
export function scrub(text: string): string {
  return text
    .replace(/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1[redacted]@")
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, "Bearer [redacted]")
    .replace(/(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "[email]");
}
