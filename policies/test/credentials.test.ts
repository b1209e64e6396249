import { describe, expect, it } from "vitest";
import { isCredentialName } from "../lib/credentials";

describe("credential names", () => {
  it.each([
    "JWT_SECRET",
    "SIGNER_TOKEN",
    "DATA_KEY",
    "SIGNING_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "REDIS_URL",
    "API_KEY",
    "DB_PASSWORD",
    "SENTRY_DSN",
  ])("%s is a credential", (name) => expect(isCredentialName(name)).toBe(true));
  it.each([
    "REFRESH_TOKEN_TTL_SECONDS",
    "SIGNER_URL",
    "URL_TTL_SECONDS",
    "MAX_UPLOAD_BYTES",
    "TRUST_PROXY",
    "CLIENT_IP_HEADER",
    "JWT_ALGORITHM",
    "REPLICA_BUCKET",
  ])("%s is not", (name) => expect(isCredentialName(name)).toBe(false));
});
