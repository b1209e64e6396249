/**
 * Price catalog for the monthly cost estimate. Every number carries the page it was read from
 * and the date it was read (or the page's own date); docs/cost.md lists what is left out and
 * why. All prices are USD, list prices, before tax, for the regions the stacks use.
 *
 * Update a price by editing its entry and its `date`. The unit tests hold figures computed by
 * hand from these entries, so a price change fails them until the figures are recomputed.
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

/** Usage included before a metered rate applies. */
export interface Included extends Allowance {
  /** How the basis names it: "free" for a free tier, "included" for what a plan includes. */
  word: "free" | "included";
  /**
   * Set when the allowance belongs to an account all stacks share: the stack is credited its
   * `ara:usage.sharedCostShare` of it. Unset: the allowance is the resource's own.
   */
  sharedBy?: "workersPaid" | "vercelPro" | "grafanaCloud";
}

/**
 * A usage-priced item: everything `metered()` (./metered.ts) needs to compute a line and write
 * its basis, so a price, its allowance and its wording change together.
 */
export interface Metered extends Price {
  /** The quantity `usd` is quoted for, as the basis writes it: $0.30 per 1M is { 1e6, "1M" }. */
  rateFor: { size: number; label: string };
  /** The unit a usage figure is written in ("GB", "h", "ms"); "" for a plain count. */
  usageUnit: string;
  included?: Included;
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
    source: `${PS_PG_PRICING} (as archived in github.com/mpsuesser/scraped-docs-planetscale@906f7866)`,
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
  storage: {
    usd: 0.125,
    per: "GB-month (AWS us-east-1)",
    rateFor: { size: 1, label: "GB-month" },
    usageUnit: "GB",
    included: {
      quantity: 10,
      unit: "GB per cluster",
      word: "included",
      source: PS_PG_PRICING,
      date: PS_PG_DATE,
    },
    source: PS_PG_PRICING,
    date: PS_PG_DATE,
    note: "Billed once per cluster here; the page does not say whether HA nodes multiply it.",
  } satisfies Metered,
  /**
   * Data leaving PlanetScale: the app's reads and the nightly `pg_dump` of the cross-region
   * copy (ara:usage.databaseEgressGbPerMonth). PS-5 single nodes and PS-DEV branches include
   * 10 GB instead of 100 ({@link planetscale.smallEgressIncludedGb}).
   */
  egress: {
    usd: 0.06,
    per: "GB (AWS us-east-1)",
    rateFor: { size: 1, label: "GB" },
    usageUnit: "GB",
    included: {
      quantity: 100,
      unit: "GB per production cluster",
      word: "included",
      source: PS_PG_PRICING,
      date: PS_PG_DATE,
    },
    source: PS_PG_PRICING,
    date: PS_PG_DATE,
    note: "Ingress is free; private connections are $0.01/GB flat (not used here).",
  } satisfies Metered,
  smallEgressIncludedGb: {
    quantity: 10,
    unit: "GB per PS-5 single node or PS-DEV branch",
    source: PS_PG_PRICING,
    date: PS_PG_DATE,
  } satisfies Allowance,
  devBranch: {
    usd: 5,
    per: "PS-DEV branch-month",
    source: "https://planetscale.com/docs/plans/planetscale-plans (accessed 2026-08-17)",
    date: "2026-08-17",
  } satisfies Price,
};

const UPSTASH_BILLING = "upstash/docs redis/overall/billing.mdx@1384707c";
const UPSTASH_DATE = "2026-06-18";

export const upstash = {
  commands: {
    usd: 0.2,
    per: "100K commands (pay-as-you-go)",
    rateFor: { size: 100_000, label: "100K" },
    usageUnit: "",
    source: UPSTASH_BILLING,
    date: UPSTASH_DATE,
  } satisfies Metered,
  /** Each write is replicated to every read region, and each replication counts as a command. */
  readRegionReplication: {
    quantity: 1,
    unit: "extra command per write per read region",
    source: "upstash/docs redis/features/globaldatabase.mdx (HEAD ef0ce438)",
    date: "2026-08-12",
  } satisfies Allowance,
  storage: {
    usd: 0.25,
    per: "GB-month",
    rateFor: { size: 1, label: "GB" },
    usageUnit: "GB",
    included: {
      quantity: 1,
      unit: "GB",
      word: "free",
      source: UPSTASH_BILLING,
      date: UPSTASH_DATE,
    },
    source: UPSTASH_BILLING,
    date: UPSTASH_DATE,
  } satisfies Metered,
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

const WORKERS_LOGPUSH = "developers.cloudflare.com/workers/observability/logs/logpush/";
const CF_OBSERVABILITY_PRICING =
  "cloudflare/cloudflare-docs src/content/docs/observability/pricing/index.mdx@0ec9be22";
const WORKERS_LOGS_PRICING =
  "cloudflare/cloudflare-docs src/content/partials/workers/workers_logs_pricing.mdx@0ec9be22";
const WORKERS_LOGS_DOC =
  "cloudflare/cloudflare-docs src/content/docs/workers/observability/logs/workers-logs.mdx@a7f17ac1";
const CF_OBSERVABILITY_DATE = "2026-11-29";
/** Workers Logs until 2026-11-30, for the record: the estimate prices the months ahead. */
const WORKERS_LOGS_BEFORE_DECEMBER = `Until 2026-11-30 Workers Logs was billed per event: Workers Paid included 20M log events a month, then $0.60 per additional million, 7-day retention (${WORKERS_LOGS_PRICING}). From 2026-12-01 every Cloudflare log and trace is on Observability pricing, priced here.`;
const observabilityIncluded = (quantity: number, unit: string): Included => ({
  quantity,
  unit,
  word: "included",
  sharedBy: "workersPaid",
  source: CF_OBSERVABILITY_PRICING,
  date: CF_OBSERVABILITY_DATE,
});

export const cloudflare = {
  /** Workers Trace Events Logpush (the worker log archive): Workers Paid only. */
  workersLogpush: {
    usd: 0.05,
    per: "1M requests logged",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    included: {
      quantity: 10_000_000,
      unit: "requests per account-month",
      word: "included",
      sharedBy: "workersPaid",
      source: WORKERS_LOGPUSH,
      date: "2026-11-29",
    },
    source: WORKERS_LOGPUSH,
    date: "2026-11-29",
  } satisfies Metered,
  /**
   * Workers Logs (the scripts' `observability`), from 2026-12-01 on Cloudflare Observability
   * pricing: ingestion and storage are separate meters, each with an allowance per billing
   * cycle that Workers Logs shares with the account's other logs and traces. Ingestion counts
   * the event body with Cloudflare's enriched attributes, before compression; sampled-out
   * events are not ingested.
   */
  workersLogsIngestion: {
    usd: 0.25,
    per: "GB ingested (Observability pricing, Paid, from 2026-12-01)",
    rateFor: { size: 1, label: "GB" },
    usageUnit: "GB",
    included: observabilityIncluded(50, "GB ingested per account billing cycle"),
    source: CF_OBSERVABILITY_PRICING,
    date: CF_OBSERVABILITY_DATE,
    note: WORKERS_LOGS_BEFORE_DECEMBER,
  } satisfies Metered,
  /** GB-month = the sum of each day's largest queryable GB / 30 (the same page). */
  workersLogsStorage: {
    usd: 0.1,
    per: "GB-month stored (Observability pricing, Paid, from 2026-12-01)",
    rateFor: { size: 1, label: "GB-month" },
    usageUnit: "GB",
    included: observabilityIncluded(12, "GB-month per account billing cycle"),
    source: CF_OBSERVABILITY_PRICING,
    date: CF_OBSERVABILITY_DATE,
    note: WORKERS_LOGS_BEFORE_DECEMBER,
  } satisfies Metered,
  /** Logs and traces stay queryable 7 days by default (30, 90 and 365 are planned). */
  workersLogsRetentionDays: {
    quantity: 7,
    unit: "days queryable (default retention)",
    source: CF_OBSERVABILITY_PRICING,
    date: CF_OBSERVABILITY_DATE,
  } satisfies Allowance,
  /**
   * A logged invocation writes its invocation log (request, response, outcome) and each line
   * the code logs: the signer logs one line per request (app/worker/src/app.ts), the replicator
   * one per message (app/worker/src/replicator.ts), so 2 per request or message. The docs'
   * examples count the same way: "Each request emits 1 invocation log and 1 console.log".
   */
  workersLogsEventsPerInvocation: {
    quantity: 2,
    unit: "events per logged request or queue message",
    source: `${WORKERS_LOGS_DOC} (Examples); app/worker/src/app.ts, replicator.ts`,
    date: CF_OBSERVABILITY_DATE,
    note: "A queue batch writes one invocation log for up to 10 messages; 2 per message is the ceiling.",
  } satisfies Allowance,
  /**
   * Bytes ingested per event: an assumption, high on purpose. Measured offline: the signer's
   * request line is 162-319 bytes; the trace workerd builds for one signer request (the
   * request's URL, headers and `cf` properties, response status, outcome; the data of an
   * invocation log) is 1.5-2.1 KB without its log lines, for a browser-style GET of a signed
   * URL and for the app's POST /r2/upload. Cloudflare's enriched attributes (`$metadata`,
   * `$workers`) cannot be measured offline; 3 KB leaves ~0.9 KB for them on the largest
   * invocation log and ~2.7 KB on a request line.
   */
  workersLogsBytesPerEvent: {
    quantity: 3000,
    unit: "bytes ingested per Workers Logs event (average, assumed)",
    source:
      "measured 2026-11-30: app/worker/dist/index.js in Miniflare 4.20260426.0 with a tail worker, JSON of its console line and of its trace item; rounded up",
    date: "2026-11-30",
    note: "A GB is 10^9 bytes: more GB for the same bytes than 2^30 would give.",
  } satisfies Allowance,
  /**
   * The log archive bucket's storage. The account's R2 free tier is already credited to the
   * reports bucket, so none is credited here.
   */
  r2LogArchiveStorage: {
    usd: 0.015,
    per: "GB-month (R2 Standard)",
    rateFor: { size: 1, label: "GB-month" },
    usageUnit: "GB",
    source: "developers.cloudflare.com/r2/pricing/",
    date: "2026-08-21",
  } satisfies Metered,
  workersPaidMinimum: {
    usd: 5,
    per: "account-month (Workers Paid)",
    source: WORKERS_PRICING,
    date: CF_DATE,
    note: "Account-level; shared between stacks by usage.sharedCostShare.workersPaid.",
  } satisfies Price,
  workersRequests: {
    usd: 0.3,
    per: "1M requests",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    included: {
      quantity: 10_000_000,
      unit: "requests per account-month",
      word: "included",
      sharedBy: "workersPaid",
      source: WORKERS_PRICING,
      date: CF_DATE,
    },
    source: WORKERS_PRICING,
    date: CF_DATE,
  } satisfies Metered,
  workersCpu: {
    usd: 0.02,
    per: "1M CPU-ms",
    rateFor: { size: 1_000_000, label: "1M CPU-ms" },
    usageUnit: "ms",
    included: {
      quantity: 30_000_000,
      unit: "CPU-ms per account-month",
      word: "included",
      sharedBy: "workersPaid",
      source: WORKERS_PRICING,
      date: CF_DATE,
    },
    source: WORKERS_PRICING,
    date: CF_DATE,
  } satisfies Metered,
  // R2's free tier is per account, like the Workers Paid allowances, and follows their share.
  r2Storage: {
    usd: 0.015,
    per: "GB-month (Standard)",
    rateFor: { size: 1, label: "GB-month" },
    usageUnit: "GB",
    included: {
      quantity: 10,
      unit: "GB-month per account (Standard)",
      word: "free",
      sharedBy: "workersPaid",
      source: R2_PRICING,
      date: CF_DATE,
    },
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Metered,
  r2ClassA: {
    usd: 4.5,
    per: "1M Class A operations",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    included: {
      quantity: 1_000_000,
      unit: "Class A operations per account-month",
      word: "free",
      sharedBy: "workersPaid",
      source: R2_PRICING,
      date: CF_DATE,
    },
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Metered,
  r2ClassB: {
    usd: 0.36,
    per: "1M Class B operations",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    included: {
      quantity: 10_000_000,
      unit: "Class B operations per account-month",
      word: "free",
      sharedBy: "workersPaid",
      source: R2_PRICING,
      date: CF_DATE,
    },
    source: R2_PRICING,
    date: CF_DATE,
  } satisfies Metered,
  queueOperations: {
    usd: 0.4,
    per: "1M operations",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    included: {
      quantity: 1_000_000,
      unit: "operations per account-month (Workers Paid)",
      word: "included",
      sharedBy: "workersPaid",
      source: QUEUES_PRICING,
      date: CF_DATE,
    },
    source: QUEUES_PRICING,
    date: CF_DATE,
  } satisfies Metered,
  /** A delivered message is written, read and deleted: three operations (≤ 64 KB each). */
  queueOpsPerMessage: {
    quantity: 3,
    unit: "operations per delivered message",
    source: QUEUES_PRICING,
    date: CF_DATE,
  } satisfies Allowance,
  /**
   * CPU the signer spends on one of the web app's log batches (POST /r2/logs/app): inflating
   * and parsing a full 256 KB batch of access-log lines took 5.6 ms in V8 (100 KB: 1.1 ms), so
   * 6 ms is a high figure for the average batch.
   */
  appLogBatchCpuMs: {
    quantity: 6,
    unit: "CPU-ms per app log batch",
    source:
      "measured: gunzip and JSON.parse of a 256 KB NDJSON batch, Node 20 on the 2-core build machine (app/worker/src/app-logs.ts does the same)",
    date: "2026-11-30",
  } satisfies Allowance,
  /**
   * Zone plans, billed per zone (each stack has its own zone). Read from cloudflare.com/plans as transcribed by api-evangelist/cloudflare-ai-gateway
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
  edgeRequests: {
    usd: 2,
    per: "1M edge requests (iad1)",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    included: {
      quantity: 10_000_000,
      unit: "edge requests per team-month",
      word: "included",
      sharedBy: "vercelPro",
      source: VERCEL_PRO,
      date: "2026-08-17",
    },
    source: VERCEL_IAD1,
    date: "2026-08-24",
  } satisfies Metered,
  dataTransfer: {
    usd: 0.15,
    per: "GB Fast Data Transfer (iad1)",
    rateFor: { size: 1, label: "GB" },
    usageUnit: "GB",
    included: {
      quantity: 1000,
      unit: "GB Fast Data Transfer per team-month",
      word: "included",
      sharedBy: "vercelPro",
      source: VERCEL_PRO,
      date: "2026-08-17",
    },
    source: VERCEL_IAD1,
    date: "2026-08-24",
  } satisfies Metered,
  invocations: {
    usd: 0.6,
    per: "1M function invocations (iad1)",
    rateFor: { size: 1_000_000, label: "1M" },
    usageUnit: "",
    source: VERCEL_IAD1,
    date: "2026-08-24",
    note: "No included quantity was found on the source; charged from the first invocation.",
  } satisfies Metered,
  activeCpu: {
    usd: 0.128,
    per: "active CPU hour (iad1, from)",
    rateFor: { size: 1, label: "h" },
    usageUnit: "h",
    source: VERCEL_IAD1,
    date: "2026-08-24",
  } satisfies Metered,
};

const S3_SECONDARY =
  "aws.amazon.com/s3/pricing (client-rendered; figures via cloudburn.io 'as of March 2026', devnotes.tech, cloudtoggle)";

export const aws = {
  s3Storage: {
    usd: 0.023,
    per: "GB-month (S3 Standard, first 50 TB)",
    rateFor: { size: 1, label: "GB-month" },
    usageUnit: "GB",
    source: S3_SECONDARY,
    date: "2026-03-01",
  } satisfies Metered,
  s3Puts: {
    usd: 0.005,
    per: "1,000 PUT/COPY/POST/LIST requests",
    rateFor: { size: 1000, label: "1,000" },
    usageUnit: "",
    source: S3_SECONDARY,
    date: "2026-03-01",
  } satisfies Metered,
  /** SES outbound mail, per message (no free tier outside EC2-hosted senders). */
  sesEmails: {
    usd: 0.1,
    per: "1,000 outbound emails",
    rateFor: { size: 1000, label: "1,000" },
    usageUnit: "",
    source: "https://aws.amazon.com/ses/pricing/",
    date: "2026-03-01",
  } satisfies Metered,
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
    source: "https://aws.amazon.com/kms/pricing/ (change announced April 2024)",
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

const GRAFANA_PRICING = "grafana.com/pricing";
const GRAFANA_INVOICE =
  "grafana.com/docs/grafana-cloud/cost-management-and-billing/understand-your-invoice/";
const GRAFANA_DATE = "2026-11-29";
const grafanaFree = (quantity: number, unit: string): Included => ({
  quantity,
  unit,
  word: "free",
  sharedBy: "grafanaCloud",
  source: GRAFANA_PRICING,
  date: GRAFANA_DATE,
});

/**
 * Grafana Cloud: one account for every environment. The Free tier includes the allowances
 * below; usage beyond them needs Pro, whose fee and rates are priced here so that a stack that
 * outgrows its share of Free shows the cost rather than $0.
 */
export const grafanaCloud = {
  proPlatformFee: {
    usd: 19,
    per: "account-month (Pro)",
    source: GRAFANA_PRICING,
    date: GRAFANA_DATE,
    note: "Charged only when a stack's usage exceeds its share of the Free tier.",
  } satisfies Price,
  metricsSeries: {
    usd: 6.5,
    per: "1,000 active series (Pro)",
    rateFor: { size: 1000, label: "1,000 series" },
    usageUnit: "series",
    included: grafanaFree(10_000, "active series"),
    source: GRAFANA_PRICING,
    date: GRAFANA_DATE,
  } satisfies Metered,
  logs: {
    usd: 0.5,
    per: "GB ingested (Pro: $0.05 processed + $0.40 written + $0.10 retained 30 days, rounded up)",
    rateFor: { size: 1, label: "GB" },
    usageUnit: "GB",
    included: grafanaFree(50, "GB logs per month"),
    source: `${GRAFANA_INVOICE}logs-invoice/`,
    date: GRAFANA_DATE,
  } satisfies Metered,
  traces: {
    usd: 0.5,
    per: "GB ingested (Pro, as logs)",
    rateFor: { size: 1, label: "GB" },
    usageUnit: "GB",
    included: grafanaFree(50, "GB traces per month"),
    source: `${GRAFANA_INVOICE}logs-invoice/`,
    date: GRAFANA_DATE,
  } satisfies Metered,
  syntheticExecutions: {
    usd: 5,
    per: "10,000 API test executions (Pro)",
    rateFor: { size: 10_000, label: "10,000" },
    usageUnit: "",
    included: grafanaFree(100_000, "API test executions per month"),
    source: `${GRAFANA_INVOICE}synthetic-monitoring-invoice/`,
    date: GRAFANA_DATE,
  } satisfies Metered,
  /** Executions = probes × checks × 43,200 / frequency in minutes (a 30-day month). */
  minutesPerMonth: {
    quantity: 43_200,
    unit: "minutes per 30-day month",
    source: `${GRAFANA_INVOICE}synthetic-monitoring-invoice/`,
    date: GRAFANA_DATE,
  } satisfies Allowance,
};

/** Sentry: one organization for every environment, on the free Developer plan. */
export const sentry = {
  developerPlan: {
    usd: 0,
    per: "organization-month (Developer: 1 user, 5k errors, 5M spans)",
    source: "sentry.io/pricing",
    date: "2026-11-29",
    note: "A second user needs Team ($26/month billed annually), shared by sentryCostShare.",
  } satisfies Price,
};

const PAGERDUTY_PRICING = "https://www.pagerduty.com/pricing/incident-management/";

/**
 * PagerDuty: each paging stack has its own account (its own token). Free serves ARA's on-call
 * (one rotation, one escalation policy, up to 5 users); Professional is priced so that a stack
 * that outgrows Free shows the cost.
 */
export const pagerduty = {
  freePlan: {
    usd: 0,
    per: "account-month (Free: up to 5 users, 1 on-call schedule, 1 escalation policy)",
    source: PAGERDUTY_PRICING,
    date: "2026-09-20",
    note: "No status page and no stakeholder notifications on Free (docs/cost.md).",
  } satisfies Price,
  freeLimits: {
    users: 5,
    schedules: 1,
    escalationPolicies: 1,
  },
  professionalUser: {
    usd: 21,
    per: "user-month (Professional, billed yearly; $25 billed monthly)",
    source: PAGERDUTY_PRICING,
    date: "2026-09-20",
  } satisfies Price,
};
