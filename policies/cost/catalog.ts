/**
 * Price catalog for the monthly cost estimate. Every number carries the page it was read from
 * and the date it was read (or the page's own date); docs/cost.md lists what is left out and
 * why. All prices are USD, list prices, before tax, for the regions the stacks use.
 *
 * Update a price by editing its entry and its `date`; the unit tests hand-compute expectations
 * from these entries, so they follow automatically.
 */

export interface Sourced {
  /** Where the figure was read: a URL, or a repository path with commit. */
  source: string;
  /** When the figure was read or last changed at the source (YYYY-MM-DD). */
  date: string;
  /** Caveats that affect how the figure is used. */
  note?: string;
}

export interface Price extends Sourced {
  usd: number;
  /** The billing unit, e.g. "month", "GB-month", "1M requests". */
  per: string;
}

export interface Allowance extends Sourced {
  quantity: number;
  unit: string;
}

const PS_PG_PRICING = "planetscale.com/docs/postgres/pricing";
const PS_PG_DATE = "2026-08-03";

/** PlanetScale Postgres, network-attached, AWS us-east-1, per month. */
export interface PostgresSku {
  singleNode: number;
  highAvailability: number;
}

export const planetscale = {
  /** Keyed by `PS_<size>_AWS_<ARM|X86>`; price of a single node and of a 3-node HA cluster. */
  postgres: {
    source: `${PS_PG_PRICING} (stored copy: mpsuesser/scraped-docs-planetscale@906f7866)`,
    date: PS_PG_DATE,
    note: "us-east-1 list prices. Other regions differ; the estimate flags them.",
    region: "us-east",
    skus: {
      PS_5_AWS_ARM: { singleNode: 5, highAvailability: 15 },
      PS_5_AWS_X86: { singleNode: 5, highAvailability: 15 },
      PS_10_AWS_ARM: { singleNode: 10, highAvailability: 30 },
      PS_10_AWS_X86: { singleNode: 13, highAvailability: 39 },
      PS_20_AWS_ARM: { singleNode: 17, highAvailability: 50 },
      PS_20_AWS_X86: { singleNode: 20, highAvailability: 59 },
      PS_40_AWS_ARM: { singleNode: 28, highAvailability: 83 },
      PS_40_AWS_X86: { singleNode: 33, highAvailability: 99 },
      PS_80_AWS_ARM: { singleNode: 49, highAvailability: 148 },
      PS_80_AWS_X86: { singleNode: 60, highAvailability: 179 },
      PS_160_AWS_ARM: { singleNode: 95, highAvailability: 286 },
      PS_160_AWS_X86: { singleNode: 116, highAvailability: 349 },
      PS_320_AWS_ARM: { singleNode: 190, highAvailability: 570 },
      PS_320_AWS_X86: { singleNode: 233, highAvailability: 699 },
      PS_640_AWS_ARM: { singleNode: 378, highAvailability: 1135 },
      PS_640_AWS_X86: { singleNode: 466, highAvailability: 1399 },
      PS_1280_AWS_ARM: { singleNode: 755, highAvailability: 2265 },
      PS_1280_AWS_X86: { singleNode: 933, highAvailability: 2799 },
      PS_2560_AWS_ARM: { singleNode: 1510, highAvailability: 4529 },
      PS_2560_AWS_X86: { singleNode: 1866, highAvailability: 5599 },
    } as Readonly<Record<string, PostgresSku>>,
  },
  /**
   * Replicas beyond the HA pair. The page says "≈ 1/3 of the 3-node price" but its example
   * (PS-10 ARM +$12) is above a third of $30; the estimate uses a third and says so.
   */
  extraReplicaShareOfHa: {
    quantity: 1 / 3,
    unit: "of the HA price per extra replica",
    source: PS_PG_PRICING,
    date: PS_PG_DATE,
    note: "Page example: PS-10 ARM +$12 per extra replica (a third would be $10).",
  } satisfies Allowance,
  storageIncludedGb: {
    quantity: 10,
    unit: "GB per cluster",
    source: PS_PG_PRICING,
    date: PS_PG_DATE,
  } satisfies Allowance,
  storagePerGbMonth: {
    usd: 0.125,
    per: "GB-month (AWS us-east-1)",
    source: PS_PG_PRICING,
    date: PS_PG_DATE,
    note: "Billed once per cluster here; the page does not say whether HA nodes multiply it.",
  } satisfies Price,
  devBranch: {
    usd: 5,
    per: "PS-DEV branch-month",
    source: "planetscale.com/docs/plans/planetscale-plans (stored copy, accessed 2026-08-17)",
    date: "2026-08-17",
  } satisfies Price,
};

const UPSTASH_BILLING = "upstash/docs redis/overall/billing.mdx@1384707c";
const UPSTASH_DATE = "2026-06-18";

export const upstash = {
  commandsPer100k: {
    usd: 0.2,
    per: "100K commands (pay-as-you-go)",
    source: UPSTASH_BILLING,
    date: UPSTASH_DATE,
  } satisfies Price,
  /** Each write is replicated to every read region, and each replication counts as a command. */
  readRegionReplication: {
    quantity: 1,
    unit: "extra command per write per read region",
    source: "upstash/docs redis/features/globaldatabase.mdx (HEAD ef0ce438)",
    date: "2026-08-12",
  } satisfies Allowance,
  storageIncludedGb: {
    quantity: 1,
    unit: "GB",
    source: UPSTASH_BILLING,
    date: UPSTASH_DATE,
  } satisfies Allowance,
  storagePerGbMonth: {
    usd: 0.25,
    per: "GB-month",
    source: UPSTASH_BILLING,
    date: UPSTASH_DATE,
  } satisfies Price,
  /** The `budget` input caps pay-as-you-go spend (the database is throttled at the cap). */
  defaultBudgetUsd: {
    quantity: 20,
    unit: "USD per month when `budget` is unset",
    source: "@upstash/pulumi 0.5.0 redisDatabase.d.ts (budget docstring)",
    date: "2026-08-21",
  } satisfies Allowance,
  prodPack: {
    usd: 200,
    per: "database-month",
    source: "upstash/docs redis/overall/enterprise.mdx",
    date: "2026-06-30",
    note: "SLA, multi-zone HA, encryption at rest, backups. Not capped by `budget`.",
  } satisfies Price,
};

const WORKERS_PRICING =
  "cloudflare/cloudflare-docs src/content/docs/workers/platform/pricing.mdx@07acbb66";
const R2_PRICING = "cloudflare/cloudflare-docs src/content/docs/r2/pricing.mdx@07ec87d4";
const QUEUES_PRICING =
  "cloudflare/cloudflare-docs src/content/partials/workers/queues_pricing.mdx@96996fd3";
const CF_DATE = "2026-08-21";

export const cloudflare = {
  workersPaidMinimum: {
    usd: 5,
    per: "account-month (Workers Paid)",
    source: WORKERS_PRICING,
    date: CF_DATE,
    note: "Account-level; shared between stacks by usage.sharedCostShare.workersPaid.",
  } satisfies Price,
  workersIncludedRequests: {
    quantity: 10_000_000,
    unit: "requests per account-month",
    source: WORKERS_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  workersRequestsPerMillion: {
    usd: 0.3,
    per: "1M requests",
    source: WORKERS_PRICING,
    date: CF_DATE,
  } satisfies Price,
  workersIncludedCpuMs: {
    quantity: 30_000_000,
    unit: "CPU-ms per account-month",
    source: WORKERS_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  workersCpuPerMillionMs: {
    usd: 0.02,
    per: "1M CPU-ms",
    source: WORKERS_PRICING,
    date: CF_DATE,
  } satisfies Price,
  r2StoragePerGbMonth: {
    usd: 0.015,
    per: "GB-month (Standard)",
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Price,
  r2IncludedStorageGb: {
    quantity: 10,
    unit: "GB-month per account (Standard)",
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  r2ClassAPerMillion: {
    usd: 4.5,
    per: "1M Class A operations",
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Price,
  r2IncludedClassA: {
    quantity: 1_000_000,
    unit: "Class A operations per account-month",
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  r2ClassBPerMillion: {
    usd: 0.36,
    per: "1M Class B operations",
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Price,
  r2IncludedClassB: {
    quantity: 10_000_000,
    unit: "Class B operations per account-month",
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  queueOpsPerMillion: {
    usd: 0.4,
    per: "1M operations",
    source: QUEUES_PRICING,
    date: CF_DATE,
  } satisfies Price,
  queueIncludedOps: {
    quantity: 1_000_000,
    unit: "operations per account-month (Workers Paid)",
    source: QUEUES_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  /** A delivered message is written, read and deleted: three operations (≤ 64 KB each). */
  queueOpsPerMessage: {
    quantity: 3,
    unit: "operations per delivered message",
    source: QUEUES_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  /**
   * Zone plans, billed per zone (each stack has its own zone). Not in pricing.md: read from
   * cloudflare.com/plans as transcribed by api-evangelist/cloudflare-ai-gateway
   * plans/cloudflare-ai-gateway-plans-pricing.yml ("Pro: $20/mo billed annually, or $25/mo
   * billed monthly"), consistent with Cloudflare's billing policy page ("two $20 charges").
   * The estimate uses the monthly-billing price, the higher one.
   */
  zonePlans: {
    source:
      "https://www.cloudflare.com/plans/ via api-evangelist/cloudflare-ai-gateway plans/cloudflare-ai-gateway-plans-pricing.yml",
    date: "2026-10-07",
    note: "Monthly billing. Annual billing is $20 (Pro) and $200 (Business). Enterprise is quoted, not listed.",
    free: 0,
    pro: 25,
    business: 250,
  },
};

const VERCEL_PRO = "vercel.com/docs/plans/pro-plan (page last_updated 2026-07-15)";
const VERCEL_IAD1 =
  "vercel.com/docs/pricing/regional-pricing/iad1 (read 2026-08-24 via a third-party note)";

export const vercel = {
  proPlatformFee: {
    usd: 20,
    per: "team-month",
    source: VERCEL_PRO,
    date: "2026-08-17",
    note: "Includes one deploying seat and a $20 usage credit. Shared by usage.sharedCostShare.vercelPro.",
  } satisfies Price,
  seat: {
    usd: 20,
    per: "extra deploying seat-month",
    source: VERCEL_PRO,
    date: "2026-08-17",
  } satisfies Price,
  usageCredit: {
    usd: 20,
    per: "team-month (expires monthly)",
    source: VERCEL_PRO,
    date: "2026-08-17",
  } satisfies Price,
  includedEdgeRequests: {
    quantity: 10_000_000,
    unit: "edge requests per team-month",
    source: VERCEL_PRO,
    date: "2026-08-17",
  } satisfies Allowance,
  includedDataTransferGb: {
    quantity: 1000,
    unit: "GB Fast Data Transfer per team-month",
    source: VERCEL_PRO,
    date: "2026-08-17",
  } satisfies Allowance,
  edgeRequestsPerMillion: {
    usd: 2,
    per: "1M edge requests (iad1)",
    source: VERCEL_IAD1,
    date: "2026-08-24",
  } satisfies Price,
  dataTransferPerGb: {
    usd: 0.15,
    per: "GB Fast Data Transfer (iad1)",
    source: VERCEL_IAD1,
    date: "2026-08-24",
  } satisfies Price,
  invocationsPerMillion: {
    usd: 0.6,
    per: "1M function invocations (iad1)",
    source: VERCEL_IAD1,
    date: "2026-08-24",
    note: "No included quantity is documented in pricing.md; charged from the first invocation.",
  } satisfies Price,
  activeCpuPerHour: {
    usd: 0.128,
    per: "active CPU hour (iad1, from)",
    source: VERCEL_IAD1,
    date: "2026-08-24",
  } satisfies Price,
};

const S3_SECONDARY =
  "aws.amazon.com/s3/pricing (client-rendered; figures via cloudburn.io 'as of March 2026', devnotes.tech, cloudtoggle)";

export const aws = {
  s3StoragePerGbMonth: {
    usd: 0.023,
    per: "GB-month (S3 Standard, first 50 TB)",
    source: S3_SECONDARY,
    date: "2026-03-01",
  } satisfies Price,
  s3PutPer1000: {
    usd: 0.005,
    per: "1,000 PUT/COPY/POST/LIST requests",
    source: S3_SECONDARY,
    date: "2026-03-01",
  } satisfies Price,
  kmsKeyMonth: {
    usd: 1,
    per: "customer managed key-month",
    source: "aws.amazon.com/kms/pricing",
    date: "2026-03-01",
  } satisfies Price,
  /** The first and second rotations add $1/month each; the estimate assumes both happened. */
  kmsRotationMonth: {
    usd: 2,
    per: "key-month with rotation on (after two rotations)",
    source: "aws.amazon.com/kms/pricing (quoted in a stored repo doc; change announced April 2024)",
    date: "2026-03-01",
  } satisfies Price,
  alarmMonth: {
    usd: 0.1,
    per: "standard-resolution alarm metric-month",
    source: "aws.amazon.com/cloudwatch/pricing (worked example)",
    date: "2026-03-01",
    note: "The account's 10 free alarm metrics are not credited: they are shared with everything else in the account.",
  } satisfies Price,
  canaryRun: {
    usd: 0.0012,
    per: "canary run",
    source: "aws.amazon.com/cloudwatch/pricing (secondary quotes 2020–2024)",
    date: "2024-01-01",
    note: "Excludes the canary's Lambda, S3 and CloudWatch Logs charges.",
  } satisfies Price,
  /** AWS bills per hour; 730 hours is its monthly convention. */
  hoursPerMonth: {
    quantity: 730,
    unit: "hours per month",
    source: "AWS pricing calculator convention",
    date: "2026-03-01",
  } satisfies Allowance,
};
