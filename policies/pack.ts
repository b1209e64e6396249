import type { PolicyPackArgs } from "@pulumi/policy";
import type { ContextSource } from "./context";
import { alertsNotEmailOnly } from "./rules/alerts-not-email-only";
import { cloudflareApiRateLimit } from "./rules/cloudflare-api-rate-limit";
import { criticalAlertsPage } from "./rules/critical-alerts-page";
import { databaseConnectionTls } from "./rules/database-connection-tls";
import { databaseCrossRegionCopy } from "./rules/database-cross-region-copy";
import { databaseDailyBackups } from "./rules/database-daily-backups";
import { databaseDeletionProtection } from "./rules/database-deletion-protection";
import { httpsOnlyUrls } from "./rules/https-only-urls";
import { providerPreflight } from "./rules/provider-preflight";
import { observabilityAlertsComplete } from "./rules/observability-alerts-complete";
import { pagingEscalation } from "./rules/paging-escalation";
import { queueDeadLettersConsumed } from "./rules/queue-dead-letters-consumed";
import { r2PublicAccessDisabled } from "./rules/r2-public-access-disabled";
import { s3DenyInsecureTransport } from "./rules/s3-deny-insecure-transport";
import { s3EncryptionAtRest } from "./rules/s3-encryption-at-rest";
import { s3PublicAccessBlocked } from "./rules/s3-public-access-blocked";
import { s3VersioningEnabled } from "./rules/s3-versioning-enabled";
import { secretsMarkedSecret } from "./rules/secrets-marked-secret";
import { stackDailySpend } from "./rules/stack-daily-spend";
import { stackMonthlyBudget } from "./rules/stack-monthly-budget";
import { statefulResourcesProtected } from "./rules/stateful-resources-protected";
import { upstashEncryptionAtRest } from "./rules/upstash-encryption-at-rest";
import { emailDomainAuthenticated } from "./rules/email-domain-authenticated";
import { upstashTlsEnabled } from "./rules/upstash-tls-enabled";
import { vercelApiRateLimit } from "./rules/vercel-api-rate-limit";
import { vercelSensitiveCredentials } from "./rules/vercel-sensitive-credentials";
import { workersDevDisabled } from "./rules/workers-dev-disabled";
import { zoneAlwaysUseHttps } from "./rules/zone-always-use-https";
import { zoneHsts } from "./rules/zone-hsts";
import { zoneMinTlsVersion } from "./rules/zone-min-tls-version";
import { zoneSslStrict } from "./rules/zone-ssl-strict";
import { zoneTls13Enabled } from "./rules/zone-tls-1-3-enabled";
import { zoneTlsSettingsPresent } from "./rules/zone-tls-settings-present";

export const PACK_NAME = "ara-guardrails";

/** The pack's default level; every policy sets its own, so it applies to none today. */
export const PACK_LEVEL = "mandatory" as const;

/**
 * The pack's policies, in catalog order (docs/policies.md). Every policy's own level is its
 * production level; policies/config/<env>.json relaxes dev and staging.
 */
export function createPolicies(context: ContextSource): PolicyPackArgs["policies"] {
  return [
    // Budgets (policies/cost)
    stackMonthlyBudget(context),
    stackDailySpend(context),
    // TLS and encryption in transit
    upstashTlsEnabled(),
    zoneMinTlsVersion(context),
    zoneTls13Enabled(),
    zoneAlwaysUseHttps(),
    zoneSslStrict(),
    zoneHsts(),
    zoneTlsSettingsPresent(),
    databaseConnectionTls(),
    httpsOnlyUrls(),
    s3DenyInsecureTransport(),
    // Production guardrails
    statefulResourcesProtected(),
    databaseDeletionProtection(),
    databaseDailyBackups(),
    databaseCrossRegionCopy(),
    r2PublicAccessDisabled(),
    s3PublicAccessBlocked(),
    s3EncryptionAtRest(),
    s3VersioningEnabled(),
    upstashEncryptionAtRest(),
    secretsMarkedSecret(),
    vercelSensitiveCredentials(),
    cloudflareApiRateLimit(),
    vercelApiRateLimit(),
    workersDevDisabled(),
    queueDeadLettersConsumed(),
    // Alerts, error tracking and log shipping (observability/)
    observabilityAlertsComplete(),
    // On-call: critical alerts page, pages escalate, no alert waits on an email confirmation
    criticalAlertsPage(),
    pagingEscalation(),
    alertsNotEmailOnly(),
    // Email: the sending domain authenticates its mail
    emailDomainAuthenticated(),
    // What the providers' APIs accept (preflight/)
    providerPreflight(context),
  ];
}

export function packArgs(context: ContextSource): PolicyPackArgs {
  return {
    description:
      "ARA guardrails: monthly budgets from a sourced cost model, TLS everywhere, and production data protection.",
    enforcementLevel: PACK_LEVEL,
    policies: createPolicies(context),
  };
}
