import { beforeAll, describe, expect, it } from "vitest";
import { T } from "../../policies/lib/types";
import { checkResource, TABLE, valuesAt } from "../../preflight";
import type { StackName } from "../harness";
import { asPreflight, planned, preflightOf, type PlannedStack } from "./helpers";

/**
 * Mutation tests: take a real planned resource, change ONE argument to a value the provider
 * documents as invalid, and require the preflight to name that resource and argument. The
 * bad values are the kinds of mistake real APIs refuse (wrong case, wrong alphabet, a value
 * off the provider's list, out of range for the zone's plan, a format the API cannot parse).
 */

interface Mutation {
  stack: StackName;
  type: string;
  name: string;
  /** Path into the inputs, e.g. `rules[0].ratelimit.period`. */
  path: string;
  value: unknown;
  /** The argument the violation must name (defaults to `path`). */
  arg?: string;
  why: string;
}

const tooLong = (n: number) => "a".repeat(n);

const MUTATIONS: Mutation[] = [
  // Cloudflare R2, queues, workers
  {
    stack: "prod",
    type: T.r2Bucket,
    name: "storage-bucket",
    path: "name",
    value: "ARA-prod-reports",
    why: "R2 names are lowercase",
  },
  {
    stack: "prod",
    type: T.r2Bucket,
    name: "storage-bucket",
    path: "name",
    value: "ara_prod_reports",
    why: "R2 names have no '_'",
  },
  {
    stack: "prod",
    type: T.r2Bucket,
    name: "storage-bucket",
    path: "name",
    value: tooLong(64),
    why: "R2 names are ≤ 63",
  },
  {
    stack: "prod",
    type: T.r2Bucket,
    name: "storage-bucket",
    path: "location",
    value: "ENAM",
    why: "location hints are lowercase",
  },
  {
    stack: "dev",
    type: T.r2Bucket,
    name: "storage-bucket",
    path: "location",
    value: "us-east",
    why: "not an R2 location",
  },
  {
    stack: "prod",
    type: T.r2Lifecycle,
    name: "storage-lifecycle",
    path: "rules[0].deleteObjectsTransition.condition.maxAge",
    value: 3600,
    why: "expiry below a day",
  },
  {
    stack: "prod",
    type: T.r2Lock,
    name: "storage-lock",
    path: "rules[0].condition.type",
    value: "age",
    why: "condition types are capitalised",
  },
  {
    stack: "prod",
    type: T.r2Cors,
    name: "storage-cors",
    path: "rules[0].allowed.methods[0]",
    value: "put",
    why: "methods are upper case",
  },
  {
    stack: "prod",
    type: T.r2Cors,
    name: "storage-cors",
    path: "rules[0].allowed.origins[0]",
    value: "https://app.ara.example/",
    why: "an origin has no path",
  },
  {
    stack: "prod",
    type: T.r2EventNotification,
    name: "storage-notification",
    path: "rules[0].actions[0]",
    value: "ObjectCreated",
    why: "S3's event name, not R2's",
  },
  {
    stack: "prod",
    type: T.queue,
    name: "storage-events-dlq",
    path: "queueName",
    value: "ara prod dlq",
    why: "queue names have no spaces",
  },
  {
    stack: "prod",
    type: T.queueConsumer,
    name: "worker-replicator-dead-letters",
    path: "settings.batchSize",
    value: 500,
    why: "batch size is ≤ 100",
  },
  {
    stack: "prod",
    type: T.queueConsumer,
    name: "worker-replicator-dead-letters",
    path: "type",
    value: "Worker",
    why: "consumer types are lowercase",
  },
  {
    stack: "prod",
    type: T.workersScript,
    name: "worker-script",
    path: "scriptName",
    value: "ara.prod.signer",
    why: "Worker names have no '.'",
  },
  {
    stack: "prod",
    type: T.workersScript,
    name: "worker-script",
    path: "compatibilityDate",
    value: "2999-01-01",
    why: "a compatibility date in the future",
  },
  {
    stack: "prod",
    type: T.workersScript,
    name: "worker-script",
    path: "compatibilityDate",
    value: "2026-02-30",
    why: "not a real date",
  },
  {
    stack: "prod",
    type: T.workersScript,
    name: "worker-script",
    path: "bindings[0].type",
    value: "r2",
    why: "binding type is r2_bucket",
  },
  {
    stack: "prod",
    type: T.workersScript,
    name: "worker-script",
    path: "bindings[1].name",
    value: "SIGNING-KEY",
    why: "binding names are identifiers",
  },
  {
    stack: "prod",
    type: T.workersScript,
    name: "worker-script",
    path: "observability.logs.headSamplingRate",
    value: 1.5,
    why: "sampling is 0..1",
  },
  {
    stack: "prod",
    type: T.workersRoute,
    name: "worker-route",
    path: "pattern",
    value: "https://api.ara.example/r2/*",
    why: "routes carry no scheme",
  },
  // Cloudflare zone
  {
    stack: "prod",
    type: T.zoneSetting,
    name: "edge-tls-1-3",
    path: "settingId",
    value: "tls13",
    why: "the .d.ts camelCase id",
  },
  {
    stack: "prod",
    type: T.zoneSetting,
    name: "edge-ssl",
    path: "value",
    value: "Strict",
    why: "values are lowercase",
  },
  {
    stack: "prod",
    type: T.zoneSetting,
    name: "edge-min-tls-version",
    path: "value",
    value: "1.4",
    why: "no such TLS version",
  },
  {
    stack: "prod",
    type: T.zoneSetting,
    name: "edge-hsts",
    path: "value.strict_transport_security.include_subdomains",
    value: false,
    arg: "value",
    why: "preload needs subdomains",
  },
  {
    stack: "prod",
    type: T.zoneSetting,
    name: "edge-hsts",
    path: "value.strict_transport_security.maxAge",
    value: 31536000,
    arg: "value",
    why: "camelCase key",
  },
  {
    stack: "prod",
    type: T.dnsRecord,
    name: "edge-app-dns",
    path: "ttl",
    value: 300,
    why: "proxied records use ttl 1",
  },
  {
    stack: "prod",
    type: T.dnsRecord,
    name: "edge-app-dns",
    path: "type",
    value: "cname",
    why: "record types are upper case",
  },
  {
    stack: "prod",
    type: T.dnsRecord,
    name: "edge-app-dns",
    path: "content",
    value: "https://cname.vercel-dns.com",
    why: "CNAME content is a hostname",
  },
  {
    stack: "prod",
    type: T.dnsRecord,
    name: "edge-api-dns",
    path: "content",
    value: "192.0.2.1",
    why: "AAAA content is IPv6",
  },
  {
    stack: "prod",
    type: T.dnsRecord,
    name: "edge-api-dns",
    path: "name",
    value: "API.ara.example",
    why: "hostnames are lowercase here",
  },
  {
    stack: "dev",
    type: T.dnsRecord,
    name: "edge-app-dns",
    path: "comment",
    value: tooLong(150),
    why: "Free zones allow 100-character comments",
  },
  {
    stack: "prod",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].ratelimit.period",
    value: 30,
    why: "no 30 s period on any plan",
  },
  {
    stack: "dev",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].ratelimit.period",
    value: 60,
    why: "Free zones allow only 10 s",
  },
  {
    stack: "dev",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].ratelimit.mitigationTimeout",
    value: 60,
    why: "Free zones allow only 10 s",
  },
  {
    stack: "prod",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].ratelimit.mitigationTimeout",
    value: 86400,
    why: "Pro allows up to an hour",
  },
  {
    stack: "prod",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "phase",
    value: "http_rate_limit",
    why: "phase is http_ratelimit",
  },
  {
    stack: "prod",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].action",
    value: "deny",
    why: "Cloudflare's action is block",
  },
  {
    stack: "prod",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].ratelimit.characteristics",
    value: ["ip.src"],
    why: "cf.colo.id is required",
  },
  {
    stack: "dev",
    type: T.ruleset,
    name: "edge-rate-limit",
    path: "rules[0].actionParameters",
    value: { response: { statusCode: 429, contentType: "application/json", content: "{}" } },
    arg: "rules",
    why: "custom responses need Pro",
  },
  {
    stack: "prod",
    type: T.healthcheck,
    name: "monitoring-check-app",
    path: "name",
    value: "ara prod app",
    why: "alphanumerics, '-', '_' only",
  },
  {
    stack: "prod",
    type: T.healthcheck,
    name: "monitoring-check-app",
    path: "interval",
    value: 30,
    why: "Pro's minimum interval is 60 s",
  },
  {
    stack: "staging",
    type: T.healthcheck,
    name: "monitoring-check-signer",
    path: "checkRegions[0]",
    value: "enam",
    why: "region codes are upper case",
  },
  {
    stack: "prod",
    type: T.healthcheck,
    name: "monitoring-check-app",
    path: "type",
    value: "https",
    why: "types are upper case",
  },
  {
    stack: "prod",
    type: T.notificationPolicy,
    name: "monitoring-health-alert",
    path: "alertType",
    value: "healthcheck_status",
    why: "not an alert type",
  },
  {
    stack: "prod",
    type: T.notificationPolicy,
    name: "monitoring-health-alert",
    path: "mechanisms.emails[0].id",
    value: "oncall",
    why: "not an email address",
  },
  // Vercel
  {
    stack: "prod",
    type: T.vercelProject,
    name: "app-project",
    path: "name",
    value: "ARA_prod_web",
    why: "project names are a-z, 0-9, '-'",
  },
  {
    stack: "prod",
    type: T.vercelProject,
    name: "app-project",
    path: "name",
    value: tooLong(53),
    why: "project names are ≤ 52",
  },
  {
    stack: "prod",
    type: T.vercelProject,
    name: "app-project",
    path: "resourceConfig.functionDefaultRegions[0]",
    value: "us-east-1",
    why: "AWS's name, not Vercel's",
  },
  {
    stack: "staging",
    type: T.vercelProject,
    name: "app-project",
    path: "resourceConfig.functionDefaultRegions[0]",
    value: "IAD1",
    why: "region ids are lowercase",
  },
  {
    stack: "prod",
    type: T.vercelProject,
    name: "app-project",
    path: "nodeVersion",
    value: "20",
    why: "node versions are N.x",
  },
  {
    stack: "prod",
    type: T.vercelFirewall,
    name: "app-firewall",
    path: "rules.rules[0].action.actionDuration",
    value: "5 minutes",
    why: "durations are 5m",
  },
  {
    stack: "prod",
    type: T.vercelFirewall,
    name: "app-firewall",
    path: "rules.rules[0].action.rateLimit.window",
    value: 5,
    why: "the window is ≥ 10 s",
  },
  {
    stack: "prod",
    type: T.vercelFirewall,
    name: "app-firewall",
    path: "rules.rules[0].conditionGroups[0].conditions[0].op",
    value: "prefix",
    why: "the operator is pre",
  },
  {
    stack: "prod",
    type: T.vercelEnvVar,
    name: "app-env-signer-url",
    path: "key",
    value: "SIGNER-URL",
    why: "keys have no '-'",
  },
  {
    stack: "prod",
    type: T.vercelEnvVar,
    name: "app-env-signer-url",
    path: "targets[0]",
    value: "prod",
    why: "target is production",
  },
  // Upstash
  {
    stack: "prod",
    type: T.upstashRedis,
    name: "cache-redis",
    path: "region",
    value: "us-east-1",
    why: "regional databases are refused",
  },
  {
    stack: "prod",
    type: T.upstashRedis,
    name: "cache-redis",
    path: "primaryRegion",
    value: "us-east1",
    why: "not an Upstash region",
  },
  {
    stack: "prod",
    type: T.upstashRedis,
    name: "cache-redis",
    path: "readRegions[0]",
    value: "us-east-1",
    arg: "readRegions",
    why: "the primary cannot be a read region",
  },
  // AWS
  {
    stack: "prod",
    type: T.s3Bucket,
    name: "storage-replica",
    path: "bucketPrefix",
    value: "ara-production-reports-replica-copies-",
    why: "S3 appends 26: prefix ≤ 37",
  },
  {
    stack: "prod",
    type: T.s3Bucket,
    name: "storage-replica",
    path: "region",
    value: "us-west",
    why: "not an AWS region",
  },
  {
    stack: "prod",
    type: T.s3Encryption,
    name: "storage-replica-encryption",
    path: "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm",
    value: "aes256",
    why: "SSE values are exact",
  },
  {
    stack: "prod",
    type: T.s3Versioning,
    name: "storage-replica-versioning",
    path: "versioningConfiguration.status",
    value: "enabled",
    why: "status is capitalised",
  },
  {
    stack: "prod",
    type: T.s3Lifecycle,
    name: "storage-replica-lifecycle",
    path: "rules[0].expiration.days",
    value: 0,
    why: "days are ≥ 1",
  },
  {
    stack: "prod",
    type: T.s3Ownership,
    name: "storage-replica-ownership",
    path: "rule.objectOwnership",
    value: "BucketOwner",
    why: "not an ownership setting",
  },
  {
    stack: "prod",
    type: T.s3Policy,
    name: "storage-replica-policy",
    path: "policy",
    value: JSON.stringify({
      Version: "2008-10-17",
      Statement: [{ Effect: "Deny", Action: "s3:*" }],
    }),
    why: "legacy policy version",
  },
  {
    stack: "prod",
    type: T.iamUserPolicy,
    name: "storage-replicator-policy",
    path: "policy",
    value: "{Version: 2012-10-17}",
    why: "not JSON",
  },
  {
    stack: "prod",
    type: T.snsTopic,
    name: "monitoring-alerts",
    path: "name",
    value: "ara prod alerts",
    why: "topic names have no spaces",
  },
  {
    stack: "prod",
    type: T.snsSubscription,
    name: "monitoring-alerts-email-0",
    path: "protocol",
    value: "EMAIL",
    why: "protocols are lowercase",
  },
  {
    stack: "prod",
    type: T.snsSubscription,
    name: "monitoring-alerts-email-0",
    path: "endpoint",
    value: "ara-oncall",
    why: "an email subscription needs an address",
  },
  {
    stack: "prod",
    type: T.iamUser,
    name: "storage-replicator",
    path: "name",
    value: tooLong(65),
    why: "IAM user names are ≤ 64",
  },
  {
    stack: "prod",
    type: T.budget,
    name: "monitoring-aws-budget",
    path: "timeUnit",
    value: "MONTH",
    why: "MONTHLY",
  },
  {
    stack: "prod",
    type: T.budget,
    name: "monitoring-aws-budget",
    path: "notifications[0].notificationType",
    value: "ACTUALS",
    why: "ACTUAL",
  },
  {
    stack: "prod",
    type: T.budget,
    name: "monitoring-aws-budget",
    path: "limitAmount",
    value: "ten",
    why: "a decimal string",
  },
  {
    stack: "prod",
    type: T.budget,
    name: "monitoring-aws-budget",
    path: "costFilters[0].values[0]",
    value: "stack=prod",
    arg: "costFilters",
    why: "TagKeyValue is user:key$value",
  },
  {
    stack: "prod",
    type: "pulumi:providers:aws",
    name: "aws",
    path: "region",
    value: "us-east",
    why: "not an AWS region",
  },
  // PlanetScale
  {
    stack: "prod",
    type: T.planetScaleDatabase,
    name: "database-postgres",
    path: "clusterSize",
    value: "PS_40",
    why: "Vitess name, not a Postgres SKU",
  },
  {
    stack: "prod",
    type: T.planetScaleDatabase,
    name: "database-postgres",
    path: "region",
    value: "us-east-1",
    why: "AWS's name, not PlanetScale's slug",
  },
  {
    stack: "prod",
    type: T.planetScaleDatabase,
    name: "database-postgres",
    path: "majorVersion",
    value: "17.2",
    why: "a major version",
  },
  {
    stack: "prod",
    type: T.planetScaleDatabase,
    name: "database-postgres",
    path: "replicas",
    value: 1,
    why: "no 1-replica cluster",
  },
  {
    stack: "prod",
    type: T.planetScaleDatabase,
    name: "database-postgres",
    path: "name",
    value: "ARA.prod",
    why: "names are lowercase slugs",
  },
  {
    stack: "prod",
    type: T.planetScaleBranch,
    name: "database-main",
    path: "name",
    value: "Main",
    why: "branch names are lowercase",
  },
  {
    stack: "prod",
    type: T.planetScaleRole,
    name: "database-migrator-role",
    path: "name",
    value: "1migrator",
    why: "roles start with a letter or '_'",
  },
  {
    stack: "prod",
    type: T.planetScaleBackupPolicy,
    name: "database-backups",
    path: "frequencyUnit",
    value: "daily",
    why: "unit is day",
  },
  {
    stack: "prod",
    type: T.planetScaleBackupPolicy,
    name: "database-backups",
    path: "scheduleTime",
    value: "3am",
    why: "HH:MM",
  },
  {
    stack: "dev",
    type: T.planetScaleBackupPolicy,
    name: "database-backups",
    path: "scheduleDay",
    value: 7,
    why: "0..6",
  },
  // Random, providers
  {
    stack: "prod",
    type: T.randomBytes,
    name: "app-jwt-secret",
    path: "length",
    value: 0,
    why: "at least 1 byte",
  },
  {
    stack: "prod",
    type: "pulumi:providers:upstash",
    name: "upstash",
    path: "email",
    value: "ops",
    why: "not an email address",
  },
];

/** Sets one value at a path like `a.b[0].c` in a deep copy. */
function mutate(
  inputs: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(inputs);
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
  let node: Record<string, unknown> | unknown[] = copy;
  for (const [i, k] of keys.entries()) {
    const key = /^\d+$/.test(k) ? Number(k) : k;
    if (i === keys.length - 1) {
      (node as Record<string | number, unknown>)[key] = value;
    } else {
      const next = (node as Record<string | number, unknown>)[key];
      if (next === undefined || next === null || typeof next !== "object") {
        throw new Error(
          `mutation path ${path} does not exist at ${k}: the program changed; update the mutation`,
        );
      }
      node = next as Record<string, unknown>;
    }
  }
  return copy;
}

const plans = {} as Record<StackName, PlannedStack>;

beforeAll(async () => {
  for (const s of ["dev", "staging", "prod"] as const) plans[s] = await planned(s);
});

describe("the committed stacks", () => {
  it.each(["dev", "staging", "prod"] as const)(
    "%s passes the preflight with every argument checked",
    (s) => {
      const sum = preflightOf(plans[s]);
      expect(sum.violations).toEqual([]);
      expect(sum.checked).toBeGreaterThan(200);
    },
  );

  it.each(["dev", "staging", "prod"] as const)("every type %s creates has a table entry", (s) => {
    const missing = [...new Set(plans[s].run.resources.map((r) => r.type))].filter(
      (t) => !(t in TABLE),
    );
    expect(missing).toEqual([]);
  });
});

describe("one wrong argument in one real resource is named", () => {
  it("covers every provider with at least 40 mutations", () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(40);
    const providers = new Set(
      MUTATIONS.map((m) => m.type.split(":")[0] + (m.type.includes("planetscale") ? "/ps" : "")),
    );
    expect([...providers].sort()).toEqual(
      ["aws", "cloudflare", "pulumi", "pulumi-nodejs/ps", "random", "upstash", "vercel"].sort(),
    );
  });

  it.each(
    MUTATIONS.map(
      (m) =>
        [
          `${m.stack} ${m.type.split(":").pop()} ${m.name} ${m.path} = ${JSON.stringify(m.value).slice(0, 40)} (${m.why})`,
          m,
        ] as const,
    ),
  )("%s", (_, m) => {
    const real = plans[m.stack].run.resources.find((r) => r.type === m.type && r.name === m.name);
    expect(real, `${m.stack} has no ${m.type} named ${m.name}`).toBeDefined();
    const base = asPreflight(real!);
    // The unmutated resource passes: the violation below is caused by the one change.
    expect(checkResource(base, plans[m.stack].ctx).violations).toEqual([]);
    const bad = { ...base, inputs: mutate(base.inputs, m.path, m.value) };
    const { violations } = checkResource(bad, plans[m.stack].ctx);
    const want = m.arg ?? m.path;
    expect(violations.map((v) => `${v.resource} ${v.arg}`)).toContain(`${m.name} ${want}`);
    for (const v of violations) {
      expect(v.source).toMatch(
        /^(node_modules\/|https:\/\/|providers\/|tests\/fixtures\/|components\/|preflight\/)/,
      );
      expect(v.fix.length).toBeGreaterThan(5);
    }
  });
});

/**
 * Arguments the program does not set today, so no real value exercises their rules: each
 * gets a value the provider accepts and one it refuses here. A rule added for an argument the
 * program does not set must be added too (the first test fails until it is).
 */
const UNSET: Record<string, { good: unknown; bad: unknown }> = {
  [`${T.r2Bucket} jurisdiction`]: { good: "eu", bad: "EU" },
  [`${T.r2Lock} rules[].condition.date`]: { good: "2027-01-31", bad: "31/01/2027" },
  [`${T.queueConsumer} settings.retryDelay`]: { good: 30, bad: 86_400 },
  [`${T.queueConsumer} settings.maxConcurrency`]: { good: 10, bad: 0 },
  [`${T.workersScript} observability.headSamplingRate`]: { good: 0.1, bad: -0.1 },
  [`${T.vercelProject} resourceConfig.functionDefaultTimeout`]: { good: 60, bad: 901 },
  [`${T.s3Bucket} bucket`]: { good: "ara-prod-replica", bad: "ara_prod_replica" },
  [`${T.s3Lifecycle} rules[].transitions[].storageClass`]: { good: "GLACIER_IR", bad: "glacier" },
  [`${T.planetScaleBranch} region`]: { good: "aws-us-east-2", bad: "us-east-2" },
  [`${T.planetScaleBackupPolicy} scheduleWeek`]: { good: 3, bad: 4 },
};

describe("rules for arguments no stack sets today", () => {
  it("are exactly the table's arguments with no real value in dev, staging or prod", () => {
    const seen = new Set<string>();
    for (const p of Object.values(plans)) {
      for (const r of p.run.resources) {
        for (const path of Object.keys(TABLE[r.type]?.args ?? {})) {
          if (valuesAt(r.props, path).found.length) seen.add(`${r.type} ${path}`);
        }
      }
    }
    const unset = Object.entries(TABLE).flatMap(([type, e]) =>
      Object.keys(e.args)
        .map((path) => `${type} ${path}`)
        .filter((k) => !seen.has(k)),
    );
    expect(unset.sort()).toEqual(Object.keys(UNSET).sort());
  });

  it.each(Object.entries(UNSET))(
    "%s accepts its good value and refuses its bad one",
    (key, { good, bad }) => {
      const [type, path] = key.split(" ") as [string, string];
      for (const rule of TABLE[type]!.args[path]!) {
        expect(
          rule.test(good, plans.prod.ctx, {}),
          `${key} = ${JSON.stringify(good)}`,
        ).toBeUndefined();
        expect(rule.test(bad, plans.prod.ctx, {}), `${key} = ${JSON.stringify(bad)}`).toBeDefined();
      }
    },
  );
});
