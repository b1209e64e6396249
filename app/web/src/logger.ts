import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

// Request and response bodies are never logged. Redaction is the second line of defence for
// anything that might still carry a secret or an email through an object we do log.
export const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "cookie",
  "*.cookie",
  "email",
  "*.email",
  "password",
  "*.password",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "url",
  "*.url",
  "downloadUrl",
  "*.downloadUrl",
  "connectionString",
  "*.connectionString",
  "DATABASE_URL",
  "REDIS_URL",
  "SIGNER_TOKEN",
  "JWT_SECRET",
  "DATA_KEY",
  "*.DATABASE_URL",
  "*.REDIS_URL",
  "*.SIGNER_TOKEN",
  "*.JWT_SECRET",
  "*.DATA_KEY",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "ara-web" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are logged by message and code only: a stack or a driver error object can carry
      // query parameters or URLs with credentials.
      serializers: { err: safeError },
    },
    destination,
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

// Connection strings and bearer tokens can appear inside driver messages; strip them.
export function scrub(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1[redacted]@")
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, "Bearer [redacted]")
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "[email]");
}
