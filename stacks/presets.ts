import workerContract from "../app/worker/contract.json";
import { requiredSettings } from "../observability/alerts";
import { escalationLevels, PRIORITIES } from "../observability/escalation";
import { COST_ALERTS } from "./cost-alerts";
import type { Environment, StackConfig } from "./schema";

/**
 * Environment presets: ARA's environment strategy (docs/architecture.md, Requirements) as data. A stack selects one with
 * `ara:environment` and overrides any field from its `Pulumi.<stack>.yaml`; the loader merges
 * and validates. Components never branch on the environment name: every difference between
 * dev, staging and prod is a value below.
 *
 * Identity (domain and account identifiers) is deliberately absent: it always comes from
 * the stack file, so a preset can never point a stack at another environment's accounts.
 * So are the usage assumptions of the cost model: traffic is a property of the stack, and a
 * reviewer should see a change to it in that stack's file.
 */
export type Preset = Omit<StackConfig, "environment" | "domain" | "accounts" | "usage">;

const TLS_HSTS_ONE_YEAR = 31_536_000;

/** ARA's alert requirements, exactly (observability/alerts.ts). */
const REQUIRED_ALERTS = requiredSettings();

/** Probes in three US regions near the app (iad1) and its users; two must agree that it is down. */
const US_PROBES = ["Ohio", "NorthVirginia", "Oregon"];

/** The matrix's people (docs/incident-response.md); real addresses replace these per stack file. */
const ROLES = {
  cto: "cto@ara.example",
  engineeringManager: "eng-manager@ara.example",
  teamLead: "team-lead@ara.example",
};

/** Maintenance: 02:00–04:00 UTC on a Sunday (docs/architecture.md, "Requirements"). */
const SUNDAY_NIGHT = { weekdays: ["sunday" as const], start: "02:00", end: "04:00" };

/** Where docs/runbooks.md is published; a real run refuses this placeholder. */
const RUNBOOK_BASE_URL = "https://git.ara.example/ara-infra/blob/main";

/**
 * Development: minimal sizing for cost efficiency, basic health checks, and 7 days' retention
 * for logs and data (docs/architecture.md, "Requirements"), so reports expire after 7 days.
 */
const dev: Preset = {
  protection: { protect: false, retainOnDelete: false },
  database: {
    region: "us-east",
    clusterSize: "PS_10_AWS_ARM",
    replicas: 0,
    majorVersion: "17",
    developmentBranch: true,
    deletionProtection: false,
    backup: { frequency: "weekly", retentionDays: 7, scheduleTime: "03:00" },
    crossRegionCopy: { enabled: false, region: "us-west-2", retentionDays: 7 },
  },
  cache: {
    primaryRegion: "us-east-1",
    readRegions: [],
    eviction: true,
    budgetUsd: 5,
    prodPack: false,
    autoScale: false,
  },
  storage: {
    location: "enam",
    objectExpiryDays: 7,
    abortMultipartAfterDays: 1,
    lockRetentionDays: null,
    replica: { enabled: false, region: "us-west-2", noncurrentVersionExpiryDays: 30 },
  },
  // The worker's own defaults (app/worker/contract.json), so the two never drift apart.
  worker: {
    urlTtlSeconds: workerContract.defaults.URL_TTL_SECONDS,
    maxUploadBytes: workerContract.defaults.MAX_UPLOAD_BYTES,
    allowedContentTypes: workerContract.defaults.ALLOWED_CONTENT_TYPES.split(","),
    logSamplingRate: 1,
  },
  edge: {
    // A Free zone keeps dev inside its $50 budget. Free rate-limit rules only allow a 10 s
    // period, so 17 per 10 s approximates ARA's 100 per minute (docs/edge.md).
    cloudflarePlan: "free",
    minTlsVersion: "1.2",
    hsts: { maxAgeSeconds: TLS_HSTS_ONE_YEAR, includeSubdomains: false, preload: false },
    apiRateLimit: { requestsPerPeriod: 17, periodSeconds: 10, mitigationTimeoutSeconds: 10 },
  },
  app: {
    functionRegion: "iad1",
    deploymentProtection: "standardProtectionNew",
    // 6,000 a minute through one Cloudflare address is 60 clients at the WAF's own per-IP limit.
    firewallRateLimit: { requestsPerWindow: 100, windowSeconds: 60, proxyCeilingPerWindow: 6000 },
    refreshTokenTtlSeconds: 7 * 86_400,
  },
  monitoring: {
    alertEmails: ["ara-dev-alerts@ara.example"],
    // Standalone health checks need a Pro zone; dev relies on the app's own health endpoints.
    healthChecks: { enabled: false, intervalSeconds: 300, consecutiveFails: 3 },
    awsBudgetUsd: 5,
    budgetAlertPercents: [80, 100],
  },
  observability: {
    runbookBaseUrl: RUNBOOK_BASE_URL,
    // dev has no synthetic checks, and its trickle of traffic makes latency percentiles and
    // the cache hit rate noise: it keeps the alerts that point at a broken build or config.
    alerting: {
      evaluationIntervalSeconds: 60,
      rules: {
        "error-rate": REQUIRED_ALERTS["error-rate"],
        "response-time-critical": REQUIRED_ALERTS["response-time-critical"],
        "database-connections": REQUIRED_ALERTS["database-connections"],
        "storage-usage": REQUIRED_ALERTS["storage-usage"],
      },
    },
    grafana: {
      enabled: true,
      prometheusDatasourceUid: "grafanacloud-prom",
      slos: false,
      synthetics: { enabled: false, probes: US_PROBES, frequencySeconds: 900 },
    },
    sentry: { enabled: true },
    // Workers Logs keeps 7 days, dev's whole retention: no Logpush job. Vercel keeps the app's
    // runtime logs 1 day, so the app's lines go to the log archive (bucket only, no Logpush).
    logs: { retentionDays: 7, workerArchive: false, appArchive: true },
  },
  // No paging in dev: every alert is an email to monitoring.alertEmails, and no maintenance window.
  oncall: {
    pagerduty: "none",
    email: true,
    routing: {},
    priorities: {},
    escalation: [],
    rotation: { users: [], start: "2026-01-05T09:00:00Z" },
    roles: {},
    maintenance: [],
  },
  // No SES in dev: `npm run dev` prints mail in the terminal (app/web/src/local/dev-mail.ts),
  // and a deployed dev answers 503 to "Email me the report". The DMARC value is what dev
  // would publish if it were turned on.
  email: {
    enabled: false,
    sendingSubdomain: "mail",
    mailFromSubdomain: "bounce",
    fromLocalPart: "ara",
    dmarcPolicy: "none",
  },
  budget: {
    monthlyUsd: 50,
    warnAtPercent: COST_ALERTS.monthlyPercent,
    dailyUsd: null,
    spikePercent: COST_ALERTS.spikePercent,
  },
};

/** Staging: production-like sizing, the full monitoring stack, 30 days' retention. */
const staging: Preset = {
  ...dev,
  database: {
    ...dev.database,
    // Production-like: HA like prod, one size smaller to stay inside $100.
    clusterSize: "PS_10_AWS_ARM",
    replicas: 2,
    developmentBranch: false,
    backup: { frequency: "daily", retentionDays: 7, scheduleTime: "03:00" },
  },
  cache: { ...dev.cache, eviction: false, budgetUsd: 20 },
  storage: { ...dev.storage, objectExpiryDays: 30, abortMultipartAfterDays: 7 },
  edge: {
    cloudflarePlan: "pro",
    minTlsVersion: "1.2",
    hsts: { maxAgeSeconds: TLS_HSTS_ONE_YEAR, includeSubdomains: true, preload: false },
    apiRateLimit: { requestsPerPeriod: 100, periodSeconds: 60, mitigationTimeoutSeconds: 60 },
  },
  monitoring: {
    alertEmails: ["ara-staging-alerts@ara.example"],
    healthChecks: { enabled: true, intervalSeconds: 300, consecutiveFails: 3 },
    awsBudgetUsd: 5,
    budgetAlertPercents: [80, 100],
  },
  observability: {
    ...dev.observability,
    alerting: { evaluationIntervalSeconds: 60, rules: REQUIRED_ALERTS },
    grafana: {
      ...dev.observability.grafana,
      slos: true,
      // Every 15 minutes keeps staging's checks inside its share of the Free tier's 100k runs.
      synthetics: { enabled: true, probes: US_PROBES, frequencySeconds: 900 },
    },
    logs: { retentionDays: 30, workerArchive: true, appArchive: true },
  },
  // Staging pages at low urgency only: a notification to on-call in working hours' spirit, never
  // a phone call at night and never an escalation. Its own Free PagerDuty account.
  oncall: {
    pagerduty: "free",
    email: true,
    routing: { critical: "P2", warning: "P3" },
    priorities: { P2: { urgency: "low" }, P3: { urgency: "low" } },
    escalation: escalationLevels("P2"),
    rotation: {
      users: ["oncall-1@ara.example", "oncall-2@ara.example"],
      start: "2026-01-05T09:00:00Z",
    },
    roles: { teamLead: ROLES.teamLead },
    maintenance: [{ name: "weekly-maintenance", ...SUNDAY_NIGHT }],
  },
  email: { ...dev.email, enabled: true, dmarcPolicy: "quarantine" },
  budget: {
    monthlyUsd: 100,
    warnAtPercent: COST_ALERTS.monthlyPercent,
    dailyUsd: null,
    spikePercent: COST_ALERTS.spikePercent,
  },
};

/** Production: high availability and performance, 24/7 alerting, 365 days' retention. */
const prod: Preset = {
  protection: { protect: true, retainOnDelete: true },
  database: {
    region: "us-east",
    clusterSize: "PS_40_AWS_ARM",
    replicas: 2,
    majorVersion: "17",
    developmentBranch: false,
    deletionProtection: true,
    backup: { frequency: "daily", retentionDays: 7, scheduleTime: "03:00" },
    // ARA's "cross-region backup (production)": nightly encrypted dumps in us-west-2, kept as
    // long as PlanetScale keeps its own backups (docs/disaster-recovery.md).
    crossRegionCopy: { enabled: true, region: "us-west-2", retentionDays: 7 },
  },
  cache: {
    primaryRegion: "us-east-1",
    // ARA's backup region for the cache: a read replica in us-west-1.
    readRegions: ["us-west-1"],
    eviction: false,
    budgetUsd: 100,
    // Multi-zone HA and an SLA for the session store; $200/month, inside prod's budget.
    prodPack: true,
    autoScale: true,
  },
  storage: {
    location: "enam",
    objectExpiryDays: 365,
    abortMultipartAfterDays: 7,
    // Short WORM window: long enough to survive a bad deploy or a stolen token, short enough
    // that a report can be deleted from R2 on request after a week. Its copy in the S3 replica
    // stays until the replica's own expiry (decision 0004 explains why deletes do not
    // replicate).
    lockRetentionDays: 7,
    replica: { enabled: true, region: "us-west-2", noncurrentVersionExpiryDays: 365 },
  },
  worker: dev.worker,
  edge: {
    cloudflarePlan: "pro",
    minTlsVersion: "1.2",
    hsts: { maxAgeSeconds: TLS_HSTS_ONE_YEAR, includeSubdomains: true, preload: true },
    apiRateLimit: { requestsPerPeriod: 100, periodSeconds: 60, mitigationTimeoutSeconds: 60 },
  },
  app: { ...dev.app, refreshTokenTtlSeconds: 30 * 86_400 },
  monitoring: {
    alertEmails: ["ara-oncall@ara.example"],
    healthChecks: { enabled: true, intervalSeconds: 60, consecutiveFails: 2 },
    // The replica (S3 storage and PUTs) is prod's only AWS cost of note: ~$2.40/month estimated.
    awsBudgetUsd: 10,
    budgetAlertPercents: [50, 80, 100],
  },
  observability: {
    runbookBaseUrl: RUNBOOK_BASE_URL,
    alerting: { evaluationIntervalSeconds: 60, rules: REQUIRED_ALERTS },
    grafana: {
      enabled: true,
      prometheusDatasourceUid: "grafanacloud-prom",
      slos: true,
      // 2 checks × 3 probes every 5 minutes is 51,840 runs a month, inside prod's share of the
      // Free tier; every minute would need Pro (decision 0012). Cloudflare's health checks still
      // probe every minute.
      synthetics: { enabled: true, probes: US_PROBES, frequencySeconds: 300 },
    },
    sentry: { enabled: true },
    logs: { retentionDays: 365, workerArchive: true, appArchive: true },
  },
  // Critical alerts are P0 (production down): high urgency around the clock, on-call then the CTO
  // and the Engineering Manager. Warnings are P2: low urgency, a ticket for the Team Lead.
  oncall: {
    pagerduty: "free",
    email: true,
    routing: { critical: "P0", warning: "P2" },
    priorities: {
      P0: { urgency: PRIORITIES.P0.urgency! },
      P1: { urgency: PRIORITIES.P1.urgency! },
      P2: { urgency: PRIORITIES.P2.urgency! },
    },
    escalation: escalationLevels("P0"),
    rotation: {
      users: ["oncall-1@ara.example", "oncall-2@ara.example"],
      start: "2026-01-05T09:00:00Z",
    },
    roles: { cto: ROLES.cto, engineeringManager: ROLES.engineeringManager },
    // The first Sunday of the month: a Sunday that is also one of days 1–7.
    maintenance: [{ name: "monthly-maintenance", ...SUNDAY_NIGHT, daysOfMonth: ["1:7"] }],
  },
  // ARA's cost alerts: more than $20 a day, 80% of the month's budget, a rise over 50%.
  // Mail that fails DKIM/SPF alignment for the prod domain is refused outright.
  email: { ...dev.email, enabled: true, dmarcPolicy: "reject" },
  budget: {
    monthlyUsd: 500,
    warnAtPercent: COST_ALERTS.monthlyPercent,
    dailyUsd: COST_ALERTS.prodDailyUsd,
    spikePercent: COST_ALERTS.spikePercent,
  },
};

export const PRESETS: Readonly<Record<Environment, Preset>> = { dev, staging, prod };
