import type { StackConfig } from "./schema";

/**
 * The credentials the program needs, where each comes from, and how to supply it.
 * A secret is read from encrypted stack config first, then from the environment, so CI can
 * inject tokens without writing them to a stack file.
 */
export interface SecretSpec {
  /** Key under the `ara:` namespace, set with `pulumi config set --secret`. */
  key: string;
  /** Environment variable read when the config key is absent. */
  env: string;
  /** What it is and which access it needs; shown when it is missing. */
  purpose: string;
  /**
   * Only needed when this holds for the stack's config (an optional integration is on);
   * otherwise the credential may be absent. Unset: always needed.
   */
  neededWhen?: (config: StackConfig) => boolean;
}

const grafanaOn = (c: StackConfig) => c.observability.grafana.enabled;

export const SECRETS = {
  cloudflareApiToken: {
    key: "cloudflareApiToken",
    env: "CLOUDFLARE_API_TOKEN",
    purpose:
      "a Cloudflare API token with Zone Settings, DNS, Zone WAF, Health Checks: Edit on the zone and Workers Scripts, Workers R2 Storage, Queues, Notifications: Edit on the account (docs/credentials.md)",
  },
  vercelApiToken: {
    key: "vercelApiToken",
    env: "VERCEL_API_TOKEN",
    purpose: "a Vercel access token scoped to the team (docs/credentials.md)",
  },
  upstashApiKey: {
    key: "upstashApiKey",
    env: "UPSTASH_API_KEY",
    purpose:
      "an Upstash management API key for the account in ara:upstashEmail (docs/credentials.md)",
  },
  planetscaleServiceTokenId: {
    key: "planetscaleServiceTokenId",
    env: "PLANETSCALE_SERVICE_TOKEN_ID",
    purpose: "the ID of a PlanetScale service token (docs/credentials.md lists its accesses)",
  },
  planetscaleServiceToken: {
    key: "planetscaleServiceToken",
    env: "PLANETSCALE_SERVICE_TOKEN",
    purpose: "the PlanetScale service token itself (docs/credentials.md lists its accesses)",
  },
  grafanaCloudAccessPolicyToken: {
    key: "grafanaCloudAccessPolicyToken",
    env: "GRAFANA_CLOUD_ACCESS_POLICY_TOKEN",
    purpose:
      "a Grafana Cloud access policy token with accesspolicies:read, accesspolicies:write and accesspolicies:delete on the organization (docs/credentials.md)",
    neededWhen: grafanaOn,
  },
  grafanaStackToken: {
    key: "grafanaStackToken",
    env: "GRAFANA_AUTH",
    purpose:
      "a service-account token of the Grafana Cloud stack in ara:grafanaStackSlug with the Editor role (folders, alert rules, SLOs; docs/credentials.md)",
    neededWhen: grafanaOn,
  },
  grafanaSmAccessToken: {
    key: "grafanaSmAccessToken",
    env: "GRAFANA_SM_ACCESS_TOKEN",
    purpose:
      "the Synthetic Monitoring access token of the Grafana Cloud stack (Testing & synthetics → Config; docs/credentials.md)",
    neededWhen: (c) =>
      c.observability.grafana.enabled && c.observability.grafana.synthetics.enabled,
  },
  sentryAuthToken: {
    key: "sentryAuthToken",
    env: "SENTRY_AUTH_TOKEN",
    purpose:
      "a Sentry organization auth token with project:write, team:write and project:read for ara:sentryOrganization (docs/credentials.md)",
    neededWhen: (c) => c.observability.sentry.enabled,
  },
  pagerdutyToken: {
    key: "pagerdutyToken",
    env: "PAGERDUTY_TOKEN",
    purpose:
      "a PagerDuty REST API key (full access) of the stack's PagerDuty account: users read, schedules, escalation policies, services and integrations write (docs/credentials.md)",
    neededWhen: (c) => c.oncall.pagerduty !== "none",
  },
  logArchiveAccessKeyId: {
    key: "logArchiveAccessKeyId",
    env: "LOG_ARCHIVE_ACCESS_KEY_ID",
    purpose:
      "the Access Key ID of an R2 API token with Object Read & Write on the bucket ara-<stack>-logs, which Logpush writes the worker's logs with (docs/credentials.md)",
    neededWhen: (c) => c.observability.logs.workerArchive,
  },
  logArchiveSecretAccessKey: {
    key: "logArchiveSecretAccessKey",
    env: "LOG_ARCHIVE_SECRET_ACCESS_KEY",
    purpose: "the Secret Access Key of that R2 API token (docs/credentials.md)",
    neededWhen: (c) => c.observability.logs.workerArchive,
  },
} as const satisfies Record<string, SecretSpec>;

export type SecretName = keyof typeof SECRETS;

/** Marks an offline-plan stand-in so nobody mistakes it for a credential. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-plan-placeholder-not-a-real-secret";
