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
}

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
} as const satisfies Record<string, SecretSpec>;

export type SecretName = keyof typeof SECRETS;

/** Marks an offline-plan stand-in so nobody mistakes it for a credential. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-plan-placeholder-not-a-real-secret";
