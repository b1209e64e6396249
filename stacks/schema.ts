import { z } from "zod";
import type { ArgRule } from "../preflight/rule";
import { HHMM, HOSTNAME } from "../preflight/rule";
import { awsRegion } from "../preflight/rules/aws";
import {
  RATE_LIMIT_PLAN_LIMITS,
  HEALTHCHECK_MIN_INTERVAL,
  R2_LOCATIONS,
} from "../preflight/rules/cloudflare";
import {
  PLANETSCALE_SLUG,
  planetscaleRegion,
  postgresMajor,
  postgresSku,
} from "../preflight/rules/planetscale";
import { UPSTASH_REGIONS } from "../preflight/rules/upstash";
import { vercelRegion } from "../preflight/rules/vercel";
import { ALERT_IDS, alertDefinition, SEVERITIES } from "../observability/alerts";
import { ON_CALL, PRIORITY_IDS, ROLES, URGENCIES, WEEKDAYS } from "../observability/escalation";

/**
 * The one schema for a stack's configuration: the environment preset merged with the
 * stack's `Pulumi.<stack>.yaml` overrides. Everything that decides which resources exist is
 * a plain value here; components never read Pulumi config themselves.
 *
 * Field docs are the reference for `docs/configuration.md`.
 */

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export const Environment = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof Environment>;

// The providers' own lists live in preflight/rules (one source for the plan's preflight and
// this schema); they are re-exported here for the components and docs that read them.
export { R2_LOCATIONS, UPSTASH_REGIONS };

export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;

const hostname = z.string().regex(HOSTNAME, "must be a lowercase DNS name such as ara.example.com");

const hhmm = z.string().regex(HHMM, "must be a UTC time as HH:MM");

/**
 * A string the provider's API must accept, judged by the same preflight rule the plan applies
 * to the resource it becomes, so a bad stack file stops here, naming its key.
 */
function accepted(rule: ArgRule) {
  return z.string().superRefine((value, ctx) => {
    const problem = rule.test(value, { today: new Date().toISOString().slice(0, 10) }, {});
    if (problem) ctx.addIssue({ code: "custom", message: `must be ${rule.rule} (${rule.source})` });
  });
}

const usd = z.number().nonnegative("must be a dollar amount of 0 or more");

export const Accounts = z.strictObject({
  /** Cloudflare account ID (32 hex characters). Every account-scoped resource needs it. */
  cloudflareAccountId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, "must be the 32-character hex account ID"),
  /** Cloudflare zone ID of `domain` (32 hex characters). */
  cloudflareZoneId: z.string().regex(/^[0-9a-f]{32}$/, "must be the 32-character hex zone ID"),
  /** Vercel team slug or ID that owns the project. */
  vercelTeam: z.string().min(1, "must name the Vercel team (slug or team_ ID)"),
  /** PlanetScale organization (its URL slug). */
  planetscaleOrganization: z
    .string()
    .regex(PLANETSCALE_SLUG, "must be the organization's lowercase URL slug"),
  /** Upstash account email, used with the Upstash API key. */
  upstashEmail: z.email("must be the Upstash account's email address"),
  /** AWS region for the stack's AWS provider (budgets, alert topic). */
  awsRegion: accepted(awsRegion),
  /** Slug of the existing Grafana Cloud stack (`<slug>.grafana.net`) the stack reports to. */
  grafanaStackSlug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "must be the Grafana Cloud stack's lowercase slug"),
  /**
   * Numeric ID of that Grafana Cloud stack: the realm of the write-only access policy and the
   * OTLP user name (the instance ID on the stack's OpenTelemetry card).
   */
  grafanaStackId: z.string().regex(/^\d+$/, "must be the Grafana Cloud stack's numeric ID"),
  /** Region slug of that Grafana Cloud stack, e.g. prod-us-east-0. */
  grafanaRegion: z
    .string()
    .regex(/^[a-z]+-[a-z]+-[a-z]+-\d+$/, "must be a Grafana Cloud region such as prod-us-east-0"),
  /** The stack's OTLP endpoint, e.g. https://otlp-gateway-prod-us-east-0.grafana.net/otlp. */
  grafanaOtlpUrl: z
    .string()
    .regex(/^https:\/\/[^\s/]+\/otlp$/, "must be the https:// OTLP gateway URL ending in /otlp"),
  /** The Synthetic Monitoring API of the stack's region, e.g. https://synthetic-monitoring-api-us-east-0.grafana.net. */
  grafanaSmUrl: z.string().regex(/^https:\/\/[^\s/]+$/, "must be an https:// origin"),
  /** Sentry organization slug that owns the stack's project. */
  sentryOrganization: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, "must be the Sentry organization's lowercase slug"),
});

export const Protection = z.strictObject({
  /** `protect` on stateful resources: `pulumi destroy` and replacements fail until it is lifted. */
  protect: z.boolean(),
  /** `retainOnDelete` on stateful resources: removing them from the program leaves them in the cloud. */
  retainOnDelete: z.boolean(),
});

export const DatabaseSettings = z
  .strictObject({
    /** PlanetScale region slug, e.g. `us-east` (AWS us-east-1). */
    region: accepted(planetscaleRegion),
    /** Postgres cluster SKU, e.g. `PS_10_AWS_ARM` (PlanetScale's `cluster_size`; providers/planetscale). */
    clusterSize: accepted(postgresSku),
    /** Replicas: 0 for a single node, 2 or more for high availability. */
    replicas: z
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(8, "must be at most 8")
      .refine(
        (n) => n !== 1,
        "must be 0 (single node) or at least 2 (HA); PlanetScale has no 1-replica cluster",
      ),
    /** Postgres major version. */
    majorVersion: accepted(postgresMajor),
    /** A `development` branch beside `main`, for schema changes before they reach production. */
    developmentBranch: z.boolean(),
    /** Deletion protection on the database (PlanetScale's own guard, beside Pulumi's protect). */
    deletionProtection: z.boolean(),
    backup: z.strictObject({
      /** How often the production branch is backed up. */
      frequency: z.enum(["daily", "weekly"]),
      /** How long each backup is kept. */
      retentionDays: z.int().min(1).max(365),
      /** When the backup runs, UTC. */
      scheduleTime: hhmm,
    }),
    /**
     * The cross-region copy: a nightly encrypted `pg_dump` (`npm run backup`) in a versioned S3
     * bucket in another region, outside PlanetScale (docs/disaster-recovery.md).
     */
    crossRegionCopy: z.strictObject({
      /** Whether the backup bucket exists. */
      enabled: z.boolean(),
      /** AWS region of the backup bucket: not the database's. */
      region: accepted(awsRegion),
      /** Dumps are deleted this many days after upload. */
      retentionDays: z.int().min(1).max(3650),
    }),
  })
  .describe("PlanetScale Postgres");

export const CacheSettings = z
  .strictObject({
    /** Primary region of the global database. */
    primaryRegion: z.enum(UPSTASH_REGIONS),
    /** Read replicas in other regions (ARA's "backup region"). */
    readRegions: z.array(z.enum(UPSTASH_REGIONS)).max(7),
    /** Evict keys when memory is full instead of refusing writes. */
    eviction: z.boolean(),
    /** Monthly spend cap in USD; Upstash throttles the database when it is reached. */
    budgetUsd: z.int("must be a whole number of dollars").min(1, "must be at least 1 dollar"),
    /** Prod Pack ($200/month per database): SLA, multi-zone HA, backups. An explicit, costed choice. */
    prodPack: z.boolean(),
    /** Upstash auto-scaling of the plan. */
    autoScale: z.boolean(),
  })
  .refine((c) => !c.readRegions.includes(c.primaryRegion), {
    message: "must not list the primary region as a read region",
    path: ["readRegions"],
  })
  .describe("Upstash Redis");

export const StorageSettings = z
  .strictObject({
    /** R2 location hint; only honoured when the bucket is first created. */
    location: z.enum(R2_LOCATIONS),
    /** Reports are deleted this many days after upload. */
    objectExpiryDays: z.int().min(1).max(3650),
    /** Incomplete multipart uploads are aborted after this many days. */
    abortMultipartAfterDays: z.int().min(1).max(30),
    /** Bucket-lock retention (WORM) in days, or null for none. */
    lockRetentionDays: z.int().min(1).max(3650).nullable(),
    /** Versioned cross-region copy of every new report in S3 (R2 has no object versioning). */
    replica: z.strictObject({
      enabled: z.boolean(),
      /** AWS region of the replica bucket. */
      region: accepted(awsRegion),
      /** Non-current versions are expired after this many days. */
      noncurrentVersionExpiryDays: z.int().min(1).max(3650),
    }),
  })
  .refine((s) => s.lockRetentionDays === null || s.lockRetentionDays <= s.objectExpiryDays, {
    message: "must not exceed objectExpiryDays: a locked object could never expire",
    path: ["lockRetentionDays"],
  })
  .describe("Cloudflare R2");

export const WorkerSettings = z
  .strictObject({
    /** Lifetime of a signed URL. */
    urlTtlSeconds: z.int().min(60).max(86_400),
    /** Largest report the signer will sign an upload for. */
    maxUploadBytes: z
      .int()
      .min(1)
      .max(100 * 1024 * 1024),
    /** Content types the signer will sign uploads for. */
    allowedContentTypes: z
      .array(
        z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, "must be a MIME type such as application/pdf"),
      )
      .min(1),
    /** Share of invocations whose logs are kept by Workers observability. */
    logSamplingRate: z.number().min(0).max(1),
  })
  .describe("Cloudflare Worker");

export const EdgeSettings = z
  .strictObject({
    /** The zone's Cloudflare plan. Rate-limit periods and health checks depend on it (docs/edge.md). */
    cloudflarePlan: z.enum(CLOUDFLARE_PLANS),
    /** Minimum TLS version the edge accepts. */
    minTlsVersion: z.enum(["1.2", "1.3"]),
    hsts: z.strictObject({
      maxAgeSeconds: z.int().min(0).max(63_072_000),
      includeSubdomains: z.boolean(),
      preload: z.boolean(),
    }),
    /** WAF rate limit on `/api/*`, per client IP. */
    apiRateLimit: z.strictObject({
      requestsPerPeriod: z.int().min(1),
      periodSeconds: z.union([
        z.literal(10),
        z.literal(60),
        z.literal(120),
        z.literal(300),
        z.literal(600),
        z.literal(3600),
      ]),
      mitigationTimeoutSeconds: z.int().min(10).max(86_400),
    }),
  })
  .superRefine((e, ctx) => {
    // Cloudflare refuses a rate-limit rule whose period or timeout the zone's plan does not
    // include (preflight/rules/cloudflare.ts has the table and its source).
    const limits = RATE_LIMIT_PLAN_LIMITS[e.cloudflarePlan];
    const source = "https://developers.cloudflare.com/waf/rate-limiting-rules/#availability";
    if (!limits.periods.includes(e.apiRateLimit.periodSeconds)) {
      ctx.addIssue({
        code: "custom",
        path: ["apiRateLimit", "periodSeconds"],
        message: `must be ${limits.periods.length > 1 ? "one of " : ""}${limits.periods.join(", ")} on a ${e.cloudflarePlan} zone (${source}), or move the zone to a plan that allows it (ara:edge.cloudflarePlan)`,
      });
    }
    if (!limits.mitigationTimeouts.includes(e.apiRateLimit.mitigationTimeoutSeconds)) {
      ctx.addIssue({
        code: "custom",
        path: ["apiRateLimit", "mitigationTimeoutSeconds"],
        message: `must be ${limits.mitigationTimeouts.length > 1 ? "one of " : ""}${limits.mitigationTimeouts.join(", ")} on a ${e.cloudflarePlan} zone (${source})`,
      });
    }
    // The preload list refuses a domain whose header lacks includeSubDomains or a year's max-age.
    if (e.hsts.preload && (!e.hsts.includeSubdomains || e.hsts.maxAgeSeconds < 31_536_000)) {
      ctx.addIssue({
        code: "custom",
        path: ["hsts", "preload"],
        message:
          "must be false unless includeSubdomains is true and maxAgeSeconds ≥ 31536000 (https://hstspreload.org/#submission-requirements)",
      });
    }
  })
  .describe("Cloudflare edge");

export const AppSettings = z
  .strictObject({
    /** Vercel function region. */
    functionRegion: accepted(vercelRegion),
    /** Which deployments Vercel Authentication protects. */
    deploymentProtection: z.enum([
      "standardProtectionNew",
      "standardProtection",
      "allDeployments",
      "onlyPreviewDeployments",
    ]),
    /**
     * Vercel firewall limits on `/api`, defence in depth behind the WAF. Vercel sees Cloudflare's
     * egress addresses for proxied traffic, so those get only a coarse ceiling; the per-IP limit
     * applies to clients that reach Vercel directly (docs/edge.md).
     */
    firewallRateLimit: z
      .strictObject({
        requestsPerWindow: z.int().min(1),
        windowSeconds: z.int().min(10).max(3600),
        proxyCeilingPerWindow: z.int().min(1),
      })
      .refine((v) => v.proxyCeilingPerWindow >= 10 * v.requestsPerWindow, {
        path: ["proxyCeilingPerWindow"],
        message:
          "must be at least 10 × requestsPerWindow: one Cloudflare address carries many users, so a ceiling near a single client's limit would lock them all out",
      }),
    /** Session refresh-token lifetime. */
    refreshTokenTtlSeconds: z
      .int()
      .min(300)
      .max(90 * 86_400),
  })
  .describe("Vercel app");

export const MonitoringSettings = z
  .strictObject({
    /** Where alerts go. */
    alertEmails: z.array(z.email("must be an email address")).min(1),
    /** Edge health checks on the app and the signer (needs a Cloudflare Pro zone or better). */
    healthChecks: z.strictObject({
      enabled: z.boolean(),
      intervalSeconds: z.int().min(15).max(3600),
      consecutiveFails: z.int().min(1).max(10),
    }),
    /**
     * Monthly cap, in USD, of this stack's AWS spend (alert topic, budget, the prod replica).
     * AWS Budgets sees only AWS; the other vendors are bounded by the policy pack's estimate
     * before each deploy and by their own caps (the cache's Upstash budget).
     */
    awsBudgetUsd: z.int("must be a whole number of dollars").min(1, "must be at least 1 dollar"),
    /** Alert when AWS spend passes these percentages of awsBudgetUsd. */
    budgetAlertPercents: z.array(z.int().min(1).max(200)).min(1),
  })
  .describe("Monitoring and alerting");

/** What Grafana Cloud's Free tier includes and what each store keeps (docs/observability.md). */
export const WORKERS_LOGS_RETENTION_DAYS = 7;
/**
 * How long Vercel keeps the app's runtime logs (its stdout) on the Pro plan without
 * Observability Plus: 1 day (Hobby: 1 hour; Observability Plus keeps them longer). Source: the
 * log retention by plan on https://vercel.com/docs/logs/runtime and https://vercel.com/pricing.
 */
export const VERCEL_RUNTIME_LOGS_RETENTION_DAYS = 1;

const alertSetting = z.strictObject({
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }),
  threshold: z.number(),
  /** 0 fires at the first evaluation ("immediately"). */
  forSeconds: z
    .int("must be a whole number of seconds")
    .min(0)
    .max(7 * 86_400),
});

export const AlertingSettings = z
  .strictObject({
    /** How often every rule group is evaluated. */
    evaluationIntervalSeconds: z.int().min(10).max(3600),
    /** The catalog's alerts this stack runs (observability/alerts.ts), with its values. */
    rules: z.partialRecord(z.enum(ALERT_IDS), alertSetting),
  })
  .superRefine((a, ctx) => {
    for (const [id, rule] of Object.entries(a.rules)) {
      if (!rule) continue;
      const def = alertDefinition(id as (typeof ALERT_IDS)[number]);
      const [min, max] = def.thresholdRange;
      if (rule.threshold < min || rule.threshold > max) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", id, "threshold"],
          message: `must be between ${min} and ${max} (${def.unit === "ratio" ? "a ratio: 0.9 is 90%" : "seconds"})`,
        });
      }
      if (rule.forSeconds > 0 && rule.forSeconds < a.evaluationIntervalSeconds) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", id, "forSeconds"],
          message: `must be 0 (fire at once) or at least evaluationIntervalSeconds (${a.evaluationIntervalSeconds}): a shorter window is never observed`,
        });
      }
    }
  });

export const ObservabilitySettings = z
  .strictObject({
    /** Where docs/runbooks.md is published; each alert links to its section there. */
    runbookBaseUrl: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
    alerting: AlertingSettings,
    /** Grafana Cloud: OTLP write token, alert rules, SLOs and synthetic checks. */
    grafana: z.strictObject({
      enabled: z.boolean(),
      /** UID of the stack's Prometheus (Mimir) data source, which the rules and SLOs query. */
      prometheusDatasourceUid: z.string().min(1),
      /** Grafana SLOs for P95 < 500 ms and errors < 0.1%, with burn-rate alerts. */
      slos: z.boolean(),
      /** Synthetic Monitoring checks of /api/ready and /r2/health: the "application down" signal. */
      synthetics: z.strictObject({
        enabled: z.boolean(),
        /** Public probe names (e.g. Ohio); "application down" needs two to agree, so at least 3. */
        probes: z
          .array(z.string().min(1))
          .min(3, "must list at least 3 probes: the alert fires when 2 fail"),
        frequencySeconds: z.int().min(60).max(3600),
      }),
    }),
    /** Sentry: one project per stack and the client key whose DSN the app reports to. */
    sentry: z.strictObject({
      enabled: z.boolean(),
    }),
    logs: z.strictObject({
      /** How long logs are kept (ARA: 7 days dev, 30 staging, 365 prod). */
      retentionDays: z.int().min(1).max(3650),
      /**
       * Ship the worker's trace events with Logpush to an R2 archive that expires them after
       * retentionDays. Workers Logs itself keeps 7 days. Needs the R2 API token secrets
       * `logArchiveAccessKeyId` and `logArchiveSecretAccessKey` (stacks/secrets.ts).
       */
      workerArchive: z.boolean(),
      /**
       * Keep the web app's log lines in the same R2 archive, for retentionDays: the app sends
       * them in batches through the signer (`POST /r2/logs/app`). Vercel keeps its runtime logs
       * only 1 day on Pro. The archive (bucket, lifecycle, ingest token) exists when this or
       * workerArchive is true, and the app's lines go to it whenever it exists.
       */
      appArchive: z.boolean(),
    }),
  })
  .refine((o) => o.logs.workerArchive || o.logs.retentionDays <= WORKERS_LOGS_RETENTION_DAYS, {
    path: ["logs", "workerArchive"],
    message: `must be true when retentionDays exceeds the ${WORKERS_LOGS_RETENTION_DAYS} days Workers Logs keeps`,
  })
  .refine((o) => o.logs.appArchive || o.logs.retentionDays <= VERCEL_RUNTIME_LOGS_RETENTION_DAYS, {
    path: ["logs", "appArchive"],
    message: `must be true when retentionDays exceeds the ${VERCEL_RUNTIME_LOGS_RETENTION_DAYS} day${VERCEL_RUNTIME_LOGS_RETENTION_DAYS === 1 ? "" : "s"} Vercel keeps the app's runtime logs (Pro without Observability Plus): otherwise the app's log lines are lost before the retention ends`,
  })
  .describe("Observability");

/**
 * The stack's spend limits: the one source of the thresholds that both the plan-time policies
 * (policies/rules/stack-monthly-budget.ts, stack-daily-spend.ts, `costSpike`) and the runtime
 * spend alerts (components/monitoring: AWS Budgets, cost anomaly detection) use.
 */
/** DMARC policies, weakest first (https://www.rfc-editor.org/rfc/rfc7489#section-6.3). */
export const DMARC_POLICIES = ["none", "quarantine", "reject"] as const;

/**
 * Email through Amazon SES (components/email): a verified sending domain with Easy DKIM, a
 * custom MAIL FROM domain, DMARC, and SMTP credentials for the app. A stack without it sends no
 * mail: the app answers 503 to "Email me the report" and recovery mails nobody.
 */
export const EmailSettings = z.strictObject({
  enabled: z.boolean(),
  /** Label of the sending domain under the stack's domain (`mail` -> mail.<domain>); "" = the apex. */
  sendingSubdomain: z
    .string()
    .regex(
      /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/,
      "must be one DNS label such as mail, or empty",
    ),
  /** Label of the MAIL FROM (bounce) domain under the sending domain, e.g. `bounce`. */
  mailFromSubdomain: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be one DNS label such as bounce"),
  /** Local part of the From address, e.g. `ara` -> ara@mail.<domain>. */
  fromLocalPart: z
    .string()
    .regex(/^[a-z0-9._-]{1,64}$/, "must be a lowercase local part such as ara"),
  /** DMARC policy published at _dmarc.<sending domain>; prod wants quarantine or reject. */
  dmarcPolicy: z.enum(DMARC_POLICIES, { error: `must be one of ${DMARC_POLICIES.join(", ")}` }),
});

export const BudgetSettings = z.strictObject({
  /** The stack's monthly budget in USD (ARA's requirements: dev $50, staging $100, prod $500). */
  monthlyUsd: usd.positive("must be more than 0"),
  /** Estimates and spend at or above this share of the budget alert (ARA's requirements: 80%). */
  warnAtPercent: z.int().min(1).max(100),
  /** Daily spend ceiling in USD, or null for none (ARA's requirements: $20 in production). */
  dailyUsd: usd.positive("must be more than 0, or null for no daily ceiling").nullable(),
  /** A rise of more than this percentage is an unexpected spike (ARA's requirements: 50%). */
  spikePercent: z.int("must be a whole percentage").min(1).max(1000),
});

const email = z.email("must be an email address such as jane@ara.example");

/** One level of the stack's escalation policy (observability/escalation.ts). */
const escalationLevel = z.strictObject({
  /** Who is paged: "on-call" (the weekly rotation) or a role named in oncall.roles. */
  targets: z
    .array(
      z.enum([ON_CALL, ...ROLES], { error: `must be one of ${[ON_CALL, ...ROLES].join(", ")}` }),
    )
    .min(1, "must name at least one target: a level that pages nobody stops the escalation"),
  /** Minutes before the next level is paged (or, on the last level, the chain repeats). */
  delayMinutes: z
    .int("must be a whole number of minutes")
    .min(1, "must be at least 1 minute (PagerDuty refuses 0 or less)"),
});

/** A recurring quiet period for warnings (a Grafana mute timing), UTC. */
const maintenanceWindow = z
  .strictObject({
    /** The mute timing's name, e.g. `weekly-maintenance`. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase name such as weekly-maintenance"),
    weekdays: z
      .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(", ")}` }))
      .min(1, "must name at least one weekday"),
    /** Day-of-month ranges, e.g. "1:7" with sunday for the first Sunday; absent: every week. */
    daysOfMonth: z
      .array(
        z
          .string()
          .regex(
            /^([1-9]|[12]\d|3[01])(:([1-9]|[12]\d|3[01]))?$/,
            'must be a day or range such as "1:7"',
          ),
      )
      .optional(),
    /** Start and end, UTC, HH:MM; the end is exclusive. */
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start < w.end, {
    path: ["end"],
    message: "must be later than start on the same day (UTC)",
  });

export const OncallSettings = z
  .strictObject({
    /**
     * The stack's PagerDuty account plan, or "none" for no PagerDuty resources (alerts go by
     * email only). Each stack has its own account and token (docs/credentials.md); the Free plan
     * allows one schedule, one escalation policy and 5 users, which the schema enforces.
     */
    pagerduty: z.enum(["none", "free", "professional"]),
    /** Also email monitoring.alertEmails: the secondary channel. */
    email: z.boolean(),
    /** Alert severity → priority (observability/escalation.ts). A severity absent here is emailed only. */
    routing: z.partialRecord(z.enum(SEVERITIES), z.string()),
    /** The priorities this stack pages for, with their PagerDuty urgency. */
    priorities: z.partialRecord(
      z.enum(PRIORITY_IDS, { error: `must be one of ${PRIORITY_IDS.join(", ")}` }),
      z.strictObject({ urgency: z.enum(URGENCIES) }),
    ),
    /** The stack's escalation policy, level by level: on-call first. */
    escalation: z.array(escalationLevel),
    /** The weekly on-call rotation. */
    rotation: z.strictObject({
      /** PagerDuty users, by login email, in rotation order (looked up with getUser). */
      users: z.array(email),
      /** When the first turn starts (ISO 8601, UTC); turns hand over weekly from then. */
      start: z.iso.datetime({ error: "must be an ISO 8601 UTC time such as 2026-01-05T09:00:00Z" }),
    }),
    /** The people the matrix names, by PagerDuty login email. */
    roles: z.partialRecord(z.enum(ROLES), email),
    /** Recurring maintenance windows: warnings are muted, critical alerts still page. */
    maintenance: z.array(maintenanceWindow),
  })
  .superRefine((o, ctx) => {
    const configured = Object.keys(o.priorities);
    for (const [severity, priority] of Object.entries(o.routing)) {
      if (!configured.includes(priority!)) {
        ctx.addIssue({
          code: "custom",
          path: ["routing", severity],
          message: `must name a priority in oncall.priorities (${configured.join(", ") || "none configured"}): add oncall.priorities.${priority} or route ${severity} to one of those`,
        });
      }
    }
    if (o.pagerduty === "none") return;
    if (o.escalation.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["escalation"],
        message: "must have at least one level when oncall.pagerduty is on",
      });
    }
    if (o.rotation.users.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["rotation", "users"],
        message: "must list at least one PagerDuty user when oncall.pagerduty is on",
      });
    }
    o.escalation.forEach((level, i) =>
      level.targets.forEach((t, j) => {
        if (t !== ON_CALL && !o.roles[t]) {
          ctx.addIssue({
            code: "custom",
            path: ["escalation", i, "targets", j],
            message: `names the role ${t}, which has no email in oncall.roles: add oncall.roles.${t}`,
          });
        }
      }),
    );
    if (o.pagerduty === "free") {
      // PagerDuty Free: 5 users, 1 schedule, 1 escalation policy (pagerduty.com/pricing/incident-management).
      const users = new Set([...o.rotation.users, ...Object.values(o.roles)]);
      if (users.size > 5) {
        ctx.addIssue({
          code: "custom",
          path: ["rotation", "users"],
          message: `must, with oncall.roles, name at most 5 people on PagerDuty's Free plan (${users.size} named): remove some or set oncall.pagerduty to professional`,
        });
      }
    }
  })
  .describe("On-call");

/**
 * Usage assumptions for the cost model (policies/cost). They are per environment because
 * traffic is, and they live in stack config so a reviewer sees them change.
 */
export const UsageSettings = z.strictObject({
  /** Requests reaching the app (Vercel edge requests). */
  appRequestsPerMonth: z.int().min(0),
  /** Function invocations on Vercel. */
  appFunctionInvocationsPerMonth: z.int().min(0),
  /** Active CPU hours of Vercel functions. */
  appFunctionCpuHoursPerMonth: z.number().min(0),
  /** Fast data transfer out of Vercel. */
  appDataTransferGbPerMonth: z.number().min(0),
  /** Deploying seats on the Vercel team charged to this stack. */
  vercelSeats: z.int().min(0),
  /** Requests to the signer worker. */
  workerRequestsPerMonth: z.int().min(0),
  /** Mean CPU milliseconds per worker request. */
  workerCpuMsPerRequest: z.number().min(0),
  /** Report bytes stored in R2, GB-month. */
  reportStorageGb: z.number().min(0),
  /** R2 class A operations (uploads, lists). */
  reportWritesPerMonth: z.int().min(0),
  /** Emails sent through SES (report links and recovery links; 0 where email is off). */
  emailsPerMonth: z.int().min(0),
  /** R2 class B operations (downloads, heads). */
  reportReadsPerMonth: z.int().min(0),
  /** Redis commands. */
  redisCommandsPerMonth: z.int().min(0),
  /** Redis data stored, GB. */
  redisStorageGb: z.number().min(0),
  /** Postgres data stored, GB. */
  databaseStorageGb: z.number().min(0),
  /** Data read out of PlanetScale: the app's queries and the nightly dump of the cross-region copy. */
  databaseEgressGbPerMonth: z.number().min(0),
  /** Replica bytes in S3, GB-month (all versions). */
  replicaStorageGb: z.number().min(0),
  /** Encrypted database dumps in the cross-region backup bucket, GB-month (all versions). */
  databaseBackupStorageGb: z.number().min(0),
  /**
   * Account-level subscriptions shared by all environments: the share of each charged to
   * this stack. The shares across stacks should add up to 1.
   */
  sharedCostShare: z.strictObject({
    vercelPro: z.number().min(0).max(1),
    workersPaid: z.number().min(0).max(1),
    /** The Grafana Cloud account (one stack, a folder per environment) and its Free allowances; absent is 0. */
    grafanaCloud: z.number().min(0).max(1).optional(),
    /** The Sentry organization's plan; absent is 0. */
    sentry: z.number().min(0).max(1).optional(),
  }),
  // The observability figures below are optional so that a stack without those integrations
  // need not state them; absent is 0.
  /** Active metric series the stack sends to Grafana Cloud. */
  metricsActiveSeries: z.int().min(0).optional(),
  /** Logs the stack sends to Grafana Cloud Loki, GB. */
  logsGbPerMonth: z.number().min(0).optional(),
  /** Traces the stack sends to Grafana Cloud Tempo, GB. */
  tracesGbPerMonth: z.number().min(0).optional(),
  /** Worker trace events kept in the log archive, GB-month at steady state. */
  logArchiveGb: z.number().min(0).optional(),
  /** The web app's log batches kept in the log archive (gzip NDJSON), GB-month at steady state. */
  appLogArchiveGb: z.number().min(0).optional(),
  /** Batches of log lines the web app sends to the log archive: worker requests and R2 writes. */
  appLogBatchesPerMonth: z.int().min(0).optional(),
});

export const StackConfig = z
  .strictObject({
    /** Selects the preset in stacks/presets.ts. */
    environment: Environment,
    /** The stack's apex domain: the app is app.<domain>, the signer api.<domain>. */
    domain: hostname,
    accounts: Accounts,
    protection: Protection,
    database: DatabaseSettings,
    cache: CacheSettings,
    storage: StorageSettings,
    worker: WorkerSettings,
    edge: EdgeSettings,
    app: AppSettings,
    monitoring: MonitoringSettings,
    observability: ObservabilitySettings,
    oncall: OncallSettings,
    email: EmailSettings,
    budget: BudgetSettings,
    usage: UsageSettings,
  })
  .superRefine((c, ctx) => {
    // Standalone health checks are a Pro feature, and their shortest interval falls with the
    // plan (preflight/rules/cloudflare.ts); the zone plan is edge.cloudflarePlan.
    if (!c.monitoring.healthChecks.enabled) return;
    const min = HEALTHCHECK_MIN_INTERVAL[c.edge.cloudflarePlan];
    const source = "https://developers.cloudflare.com/health-checks/#availability";
    if (min === null) {
      ctx.addIssue({
        code: "custom",
        path: ["monitoring", "healthChecks", "enabled"],
        message: `must be false on a ${c.edge.cloudflarePlan} zone: standalone health checks need Pro or better (${source})`,
      });
    } else if (c.monitoring.healthChecks.intervalSeconds < min) {
      ctx.addIssue({
        code: "custom",
        path: ["monitoring", "healthChecks", "intervalSeconds"],
        message: `must be at least ${min} on a ${c.edge.cloudflarePlan} zone (${source})`,
      });
    }
  });

export type StackConfig = z.infer<typeof StackConfig>;
export type DatabaseSettings = z.infer<typeof DatabaseSettings>;
export type CacheSettings = z.infer<typeof CacheSettings>;
export type StorageSettings = z.infer<typeof StorageSettings>;
export type WorkerSettings = z.infer<typeof WorkerSettings>;
export type EdgeSettings = z.infer<typeof EdgeSettings>;
export type AppSettings = z.infer<typeof AppSettings>;
export type MonitoringSettings = z.infer<typeof MonitoringSettings>;
export type ObservabilitySettings = z.infer<typeof ObservabilitySettings>;
export type BudgetSettings = z.infer<typeof BudgetSettings>;
export type OncallSettings = z.infer<typeof OncallSettings>;
export type EmailSettings = z.infer<typeof EmailSettings>;
export type UsageSettings = z.infer<typeof UsageSettings>;

/** Keys of StackConfig that are structured objects, set as YAML maps in Pulumi.<stack>.yaml. */
export const STRUCTURED_KEYS = [
  "accounts",
  "protection",
  "database",
  "cache",
  "storage",
  "worker",
  "edge",
  "app",
  "monitoring",
  "observability",
  "oncall",
  "email",
  "budget",
  "usage",
] as const;

/** Keys of StackConfig that are plain strings. */
export const SCALAR_KEYS = ["environment", "domain"] as const;
