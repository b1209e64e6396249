import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT, ROOT, type ProgramRun } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";
import { resolveStackConfig } from "../../stacks/load";
import type { StackConfig } from "../../stacks/schema";
import { byUrn, planAll, STACKS, type StackName } from "../harness";

let runs: Record<StackName, ProgramRun>;
const configs = new Map<StackName, StackConfig>();
beforeAll(async () => {
  runs = await planAll();
  for (const stack of STACKS) {
    const raw = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT).config;
    configs.set(stack, resolveStackConfig(raw, { stack, offline: true }));
  }
});

/**
 * The children each component must create, from the requirements and the stack's config:
 * this is the graph docs/architecture.md describes, written independently of the components' code.
 */
function expectedChildren(c: StackConfig): Record<string, string[]> {
  const replica = c.storage.replica.enabled;
  return {
    database: [
      "postgres",
      "main",
      "backups",
      "app-role",
      "migrator-role",
      ...(c.database.developmentBranch ? ["development"] : []),
      ...(c.database.crossRegionCopy.enabled
        ? ["backup", ...S3_PARTS.map((p) => `backup-${p}`)]
        : []),
    ],
    cache: ["redis"],
    storage: [
      "bucket",
      "lifecycle",
      "cors",
      "r2dev",
      ...(c.storage.lockRetentionDays !== null ? ["lock"] : []),
      ...(replica
        ? [
            "events",
            "events-dlq",
            "notification",
            "replica",
            "replica-versioning",
            "replica-encryption",
            "replica-public-access",
            "replica-ownership",
            "replica-policy",
            "replica-lifecycle",
            "replicator",
            "replicator-policy",
            "replicator-key",
          ]
        : []),
    ],
    worker: [
      "script",
      "route",
      "workers-dev",
      "signing-key",
      "signer-token",
      ...(replica
        ? ["replicator", "replicator-consumer", "replicator-dead-letters", "replicator-workers-dev"]
        : []),
    ],
    edge: [
      "min-tls-version",
      "tls-1-3",
      "always-use-https",
      "ssl",
      "automatic-https-rewrites",
      "hsts",
      "app-dns",
      "api-dns",
      "rate-limit",
    ],
    monitoring: [
      "alerts",
      "alerts-policy",
      "aws-budget",
      ...(c.budget.dailyUsd !== null ? ["aws-daily-budget"] : []),
      ...(c.oncall.pagerduty !== "none" ? ["alerts-pagerduty"] : []),
      ...(c.oncall.email || c.oncall.pagerduty === "none"
        ? c.monitoring.alertEmails.map((_, i) => `alerts-email-${i}`)
        : []),
      ...(c.monitoring.healthChecks.enabled ? ["check-app", "check-signer", "health-alert"] : []),
    ],
    app: [
      "project",
      "jwt-secret",
      "data-key",
      "deployment",
      "domain",
      "firewall",
      ...[
        "database-url",
        "migration-database-url",
        "redis-url",
        "signer-url",
        "signer-token",
        "refresh-token-ttl-seconds",
        "trust-proxy",
        "client-ip-header",
        "jwt-secret",
        "data-key",
        "otel-service-name",
        "sentry-environment",
        "report-storage-capacity-bytes",
        "report-retention-days",
        ...(c.observability.grafana.enabled
          ? ["otel-exporter-otlp-endpoint", "otel-exporter-otlp-headers"]
          : []),
        ...(c.observability.sentry.enabled ? ["sentry-dsn"] : []),
        ...(c.observability.logs.appArchive || c.observability.logs.workerArchive
          ? ["log-archive-url", "log-archive-token"]
          : []),
        "app-url",
        ...(c.email.enabled
          ? ["smtp-host", "smtp-port", "smtp-user", "smtp-password", "mail-from"]
          : []),
      ].map((v) => `env-${v}`),
    ],
    ...(c.email.enabled && {
      email: [
        "config-set",
        "alerts",
        "identity",
        "dkim-1",
        "dkim-2",
        "dkim-3",
        "mail-from",
        "mail-from-mx",
        "mail-from-spf",
        "dmarc",
        "smtp-user",
        "smtp-policy",
        "smtp-key",
      ],
    }),
    ...observabilityChildren(c),
    ...oncallChildren(c),
  };
}

/** On-call: PagerDuty where the stack pages, Grafana's routing where Grafana is on. */
function oncallChildren(c: StackConfig): Record<string, string[]> {
  const o = c.oncall;
  const urgencies =
    o.pagerduty === "none"
      ? []
      : [...new Set(Object.values(o.routing).map((p) => o.priorities[p as "P0"]!.urgency))];
  const routed = (["critical", "warning"] as const).filter(
    (s) => o.pagerduty !== "none" && o.routing[s],
  );
  return {
    // Without PagerDuty the component stands empty: email is the only path.
    ...(o.pagerduty !== "none" && {
      oncall: [
        "rotation",
        "escalation",
        ...urgencies.flatMap((u) => [`service-${u}`, `events-${u}`, `sns-${u}`, `email-${u}`]),
      ],
    }),
    ...(c.observability.grafana.enabled && {
      routing: [
        ...o.maintenance.map((w) => `mute-${w.name}`),
        ...(o.email ? ["contact-email"] : []),
        ...routed.map((s) => `contact-${s}`),
        "policy",
      ],
    }),
  };
}

/** The observability tier: each integration's component only where the stack turns it on. */
function observabilityChildren(c: StackConfig): Record<string, string[]> {
  const o = c.observability;
  const severities = new Set(Object.values(o.alerting.rules).map((r) => r!.severity));
  return {
    ...(o.grafana.enabled && {
      telemetry: ["policy", "token"],
      alerting: [
        "folder",
        ...[...severities].map((s) => `rules-${s}`),
        ...(o.grafana.slos ? ["slo-latency", "slo-availability"] : []),
      ],
    }),
    ...(o.grafana.enabled && o.grafana.synthetics.enabled && { synthetics: ["app", "signer"] }),
    ...(o.sentry.enabled && { errors: ["team", "project", "key"] }),
    // The archive for the app's lines or the worker's; the Logpush job only for the worker's.
    ...((o.logs.appArchive || o.logs.workerArchive) && {
      logs: [
        "bucket",
        "r2dev",
        "lifecycle",
        ...(o.logs.workerArchive ? ["workers"] : []),
        "ingest-token",
      ],
    }),
  };
}

const OBSERVABILITY_TYPES: Record<string, string> = {
  telemetry: "ara:observability:GrafanaTelemetry",
  alerting: "ara:observability:GrafanaAlerting",
  synthetics: "ara:observability:SyntheticChecks",
  errors: "ara:observability:ErrorTracking",
  logs: "ara:observability:LogArchive",
};

function observabilityProviders(c: StackConfig): string[] {
  const g = c.observability.grafana;
  return [
    ...(g.enabled
      ? ["pulumi:providers:grafana::grafana-cloud", "pulumi:providers:grafana::grafana-stack"]
      : []),
    ...(g.enabled && g.synthetics.enabled ? ["pulumi:providers:grafana::grafana-sm"] : []),
    ...(c.observability.sentry.enabled ? ["pulumi:providers:sentry::sentry"] : []),
  ];
}

/** The parts of a private S3 bucket (components/private-s3-bucket.ts), by role. */
const S3_PARTS = ["versioning", "encryption", "public-access", "ownership", "policy", "lifecycle"];

/** Children that hold data or guard it: protected and retained where the stack says so. */
const STATEFUL = [
  "database-postgres",
  "database-main",
  "database-development",
  "database-backups",
  "database-app-role",
  "database-migrator-role",
  "cache-redis",
  "storage-bucket",
  "storage-replica",
  "storage-replica-versioning",
  "database-backup",
  "database-backup-versioning",
  "logs-bucket",
  "app-data-key",
];

describe.each(STACKS)("the %s graph", (stack) => {
  const run = () => runs[stack];
  const config = () => configs.get(stack)!;

  it("has the providers and the seven tier components under the root stack", () => {
    const root = run().resources.find((r) => r.parent === "")!;
    expect(root.name).toBe(`ara-${stack}`);
    const top = run().resources.filter((r) => r.parent === root.urn);
    expect(top.map((r) => `${r.type}::${r.name}`).sort()).toEqual(
      [
        "ara:app:WebApp::app",
        "ara:cache:Cache::cache",
        "ara:database:Database::database",
        "ara:edge:Edge::edge",
        "ara:monitoring:Monitoring::monitoring",
        "ara:storage:Storage::storage",
        "ara:worker:SignerWorker::worker",
        ...Object.keys(observabilityChildren(config())).map(
          (n) => `${OBSERVABILITY_TYPES[n]}::${n}`,
        ),
        ...observabilityProviders(config()),
        "ara:oncall:OnCall::oncall",
        ...(config().email.enabled ? ["ara:email:Email::email"] : []),
        ...(config().observability.grafana.enabled ? ["ara:oncall:AlertRouting::routing"] : []),
        ...(config().oncall.pagerduty !== "none" ? ["pulumi:providers:pagerduty::pagerduty"] : []),
        "pulumi:providers:aws::aws",
        "pulumi:providers:cloudflare::cloudflare",
        "pulumi:providers:random::random",
        "pulumi:providers:upstash::upstash",
        "pulumi:providers:vercel::vercel",
      ].sort(),
    );
  });

  it("gives each component exactly the children its config calls for", () => {
    const urns = byUrn(run());
    const actual: Record<string, string[]> = {};
    for (const r of run().resources) {
      const parent = urns.get(r.parent);
      if (parent?.type.startsWith("ara:"))
        (actual[parent.name] ??= []).push(r.name.slice(parent.name.length + 1));
    }
    const expected = expectedChildren(config());
    for (const names of [...Object.values(actual), ...Object.values(expected)]) names.sort();
    expect(actual).toEqual(expected);
    const top =
      12 +
      Object.keys(observabilityChildren(config())).length +
      observabilityProviders(config()).length +
      1 +
      (config().email.enabled ? 1 : 0) +
      (config().observability.grafana.enabled ? 1 : 0) +
      (config().oncall.pagerduty !== "none" ? 1 : 0);
    const total = 1 + top + Object.values(expected).reduce((n, c) => n + c.length, 0);
    expect(run().resources).toHaveLength(total);
  });

  it("protects and retains exactly the stateful resources, and only where the stack says so", () => {
    const { protect, retainOnDelete } = config().protection;
    const stateful = run().resources.filter((r) => STATEFUL.includes(r.name));
    expect(stateful.length).toBeGreaterThanOrEqual(7);
    for (const r of stateful)
      expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, protect, retainOnDelete]);
    for (const r of run().resources.filter((x) => !STATEFUL.includes(x.name))) {
      expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, false, false]);
    }
  });
});

describe("differences that config drives", () => {
  const run = (s: StackName) => runs[s];
  const find = (s: StackName, name: string) => run(s).resources.find((r) => r.name === name);

  it("sizes the database per environment: small single node in dev, HA with replicas in staging and prod", () => {
    expect(find("dev", "database-postgres")!.inputs).toMatchObject({
      clusterSize: "PS_10_AWS_ARM",
      replicas: 0,
      deletionProtected: false,
    });
    expect(find("staging", "database-postgres")!.inputs).toMatchObject({
      replicas: 2,
      deletionProtected: false,
    });
    expect(find("prod", "database-postgres")!.inputs).toMatchObject({
      clusterSize: "PS_40_AWS_ARM",
      replicas: 2,
      deletionProtected: true,
      region: "us-east",
    });
  });

  it("backs up weekly in dev and daily in prod, keeping 7 days", () => {
    expect(find("dev", "database-backups")!.inputs).toMatchObject({
      frequencyUnit: "week",
      scheduleDay: 0,
      retentionValue: 7,
      retentionUnit: "day",
      target: "production",
    });
    expect(find("prod", "database-backups")!.inputs).toMatchObject({
      frequencyUnit: "day",
      frequencyValue: 1,
      retentionValue: 7,
      retentionUnit: "day",
    });
  });

  it("gives dev a development branch off main", () => {
    expect(find("dev", "database-development")!.inputs).toMatchObject({
      name: "development",
      parentBranch: "main",
      clusterSize: "PS_DEV_AWS_ARM",
    });
    expect(find("prod", "database-development")).toBeUndefined();
  });

  it("keeps a cache read replica in us-west-1 and Prod Pack only in prod, TLS everywhere", () => {
    for (const s of STACKS)
      expect(find(s, "cache-redis")!.inputs).toMatchObject({
        region: "global",
        primaryRegion: "us-east-1",
        tls: true,
      });
    expect(find("prod", "cache-redis")!.inputs).toMatchObject({
      readRegions: ["us-west-1"],
      prodPack: true,
      eviction: false,
    });
    expect(find("dev", "cache-redis")!.inputs).toMatchObject({
      readRegions: [],
      prodPack: false,
      eviction: true,
    });
  });

  it("names physical resources ara-<stack>-<name>", () => {
    for (const s of STACKS) {
      expect(find(s, "storage-bucket")!.inputs.name).toBe(`ara-${s}-reports`);
      expect(find(s, "cache-redis")!.inputs.databaseName).toBe(`ara-${s}-cache`);
      expect(find(s, "database-postgres")!.inputs.name).toBe(`ara-${s}-system`);
      expect(find(s, "worker-script")!.inputs.scriptName).toBe(`ara-${s}-signer`);
    }
  });
});
