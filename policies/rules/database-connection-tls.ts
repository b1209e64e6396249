import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label, resourceRule, type RuleMeta } from "../lib/define";
import { CONFIG_VALUE_TYPES, configValues } from "../lib/config-values";

export interface ConnectionTlsConfig {
  allowedSslModes?: string[];
}

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

export const meta: RuleMeta = {
  name: "database-connection-tls",
  description:
    "Database and cache connection strings handed to the app or worker must require TLS (Postgres sslmode=verify-full, Redis rediss://).",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediation:
    "Build the URL from the Database component's connectionString (it carries sslmode=verify-full) and the cache's rediss:// URL; never hand-write postgres:// or redis:// URLs.",
  configSchema: {
    properties: {
      allowedSslModes: {
        type: "array",
        items: { type: "string", enum: SSL_MODES },
        minItems: 1,
        default: ["verify-full"],
      },
    },
  },
};

/**
 * Requirement (docs/architecture.md) "TLS 1.3 for all connections" and "Encryption in transit" for the database and cache
 * legs. verify-full also checks the server's certificate and host name, so a DNS or network
 * attacker cannot present their own server. It cannot see the TLS version the driver
 * negotiates (libpq's ssl_min_protocol_version is not honoured by every driver).
 * @severity critical
 */
export function databaseConnectionTls(): ResourceValidationPolicy {
  return resourceRule<ConnectionTlsConfig>(meta, CONFIG_VALUE_TYPES, (args, report, config) => {
    const allowed = config.allowedSslModes ?? ["verify-full"];
    for (const { where, key, value } of configValues(args)) {
      if (/^postgres(ql)?:\/\//i.test(value)) {
        const mode = sslMode(value);
        if (mode === undefined || !allowed.includes(mode)) {
          report(
            `${label(args)} ${where} is a Postgres URL with sslmode=${mode ?? "(unset)"}; allowed: ${allowed.join(", ")}.`,
          );
        }
      } else if (/^PGSSLMODE$/i.test(key) && !allowed.includes(value)) {
        report(`${label(args)} ${where} is "${value}"; allowed: ${allowed.join(", ")}.`);
      } else if (/^redis:\/\//i.test(value)) {
        report(
          `${label(args)} ${where} is a plain redis:// URL.`,
          "Use the rediss:// (TLS) URL of the Upstash database.",
        );
      }
    }
  });
}

/** The sslmode query parameter of a Postgres URL, without parsing (or printing) credentials. */
export function sslMode(url: string): string | undefined {
  const q = url.indexOf("?");
  if (q < 0) return undefined;
  for (const part of url.slice(q + 1).split("&")) {
    const [k, v] = part.split("=");
    if (k === "sslmode") return decodeURIComponent(v ?? "");
  }
  return undefined;
}
