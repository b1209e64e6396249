import { writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../scripts/plan/cli";
import { planStack, prodVariants } from "../harness";

const { dir, variant } = prodVariants("ara-bad-config-");

let stderr = "";
beforeEach(async () => {
  stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: any) => {
    stderr += String(chunk);
    return true;
  });
  // A fresh mock monitor: if the plan started the engine at all, the root stack would land here.
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: () => ({}) },
    "ara",
    "prod",
  );
});
afterEach(() => vi.restoreAllMocks());

const registered = () =>
  (pulumi.runtime.getMonitor() as any).getRegisteredResources().size as number;

const cases: { name: string; key: string; says?: string; args: () => string[] }[] = [
  {
    name: "wrong type: replicas is text",
    key: "ara:database.replicas",
    args: () => [
      "--config-file",
      variant("type-replicas", (c) => (c["ara:database"] = { replicas: "two" })),
    ],
  },
  {
    name: "wrong type: eviction is text",
    key: "ara:cache.eviction",
    args: () => [
      "--config-file",
      variant("type-eviction", (c) => (c["ara:cache"] = { eviction: "yes" })),
    ],
  },
  {
    name: "unknown top-level key",
    key: "ara:databse",
    args: () => [
      "--config-file",
      variant("unknown-key", (c) => (c["ara:databse"] = { replicas: 2 })),
    ],
  },
  {
    name: "unknown nested field",
    key: "ara:database",
    args: () => [
      "--config-file",
      variant("unknown-field", (c) => (c["ara:database"] = { clustersize: "PS_10_AWS_ARM" })),
    ],
  },
  {
    name: "out of range: one replica",
    key: "ara:database.replicas",
    args: () => [
      "--config-file",
      variant("range-replicas", (c) => (c["ara:database"] = { replicas: 1 })),
    ],
  },
  {
    name: "out of range: URL TTL of 10 s",
    key: "ara:worker.urlTtlSeconds",
    says: "ara:worker.urlTtlSeconds: must be at least 60; got 10",
    args: () => [
      "--config-file",
      variant("range-ttl", (c) => (c["ara:worker"] = { urlTtlSeconds: 10 })),
    ],
  },
  {
    name: "out of range: negative replicas",
    key: "ara:database.replicas",
    says: "ara:database.replicas: must be 0 or more; got -1",
    args: () => [
      "--config-file",
      variant("range-negative-replicas", (c) => (c["ara:database"] = { replicas: -1 })),
    ],
  },
  {
    name: "out of range: negative budget",
    key: "ara:budget.monthlyUsd",
    args: () => [
      "--config-file",
      variant("range-budget", (c) => (c["ara:budget"] = { monthlyUsd: -5 })),
    ],
  },
  {
    name: "missing required key: domain",
    key: "ara:domain",
    args: () => ["--config-file", variant("missing-domain", (c) => delete c["ara:domain"])],
  },
  {
    name: "missing required key: usage",
    key: "ara:usage",
    args: () => ["--config-file", variant("missing-usage", (c) => delete c["ara:usage"])],
  },
  {
    name: "unknown environment",
    key: "ara:environment",
    args: () => ["--config-file", variant("bad-env", (c) => (c["ara:environment"] = "qa"))],
  },
  {
    name: "a proxy ceiling near one client's limit would lock out crowds",
    key: "ara:app.firewallRateLimit.proxyCeilingPerWindow",
    says: "must be at least 10 × requestsPerWindow",
    args: () => [
      "--config-file",
      variant(
        "proxy-ceiling",
        (c) =>
          (c["ara:app"] = {
            firewallRateLimit: {
              requestsPerWindow: 100,
              windowSeconds: 60,
              proxyCeilingPerWindow: 150,
            },
          }),
      ),
    ],
  },
  {
    name: "read region equals primary",
    key: "ara:cache.readRegions",
    args: () => [
      "--config-file",
      variant("regions", (c) => (c["ara:cache"] = { readRegions: ["us-east-1"] })),
    ],
  },
  {
    name: "bad alert email",
    key: "ara:monitoring.alertEmails[0]",
    args: () => [
      "--config-file",
      variant("email", (c) => (c["ara:monitoring"] = { alertEmails: ["not-an-email"] })),
    ],
  },
  {
    name: "a compatibility date per stack (the worker's contract fixes it)",
    key: "ara:worker.compatibilityDate",
    args: () => [
      "--config-file",
      variant("date", (c) => (c["ara:worker"] = { compatibilityDate: "2026-13-01" })),
    ],
  },
  {
    name: "an alert with an unknown severity",
    key: "ara:observability.alerting.rules.error-rate.severity",
    says: "must be one of critical, warning",
    args: () => [
      "--config-file",
      variant(
        "alert-severity",
        (c) =>
          (c["ara:observability"] = {
            alerting: {
              rules: { "error-rate": { severity: "page", threshold: 0.01, forSeconds: 300 } },
            },
          }),
      ),
    ],
  },
  {
    name: "an alert window shorter than the evaluation interval",
    key: "ara:observability.alerting.rules.cache-hit-rate.forSeconds",
    says: "must be 0 (fire at once) or at least evaluationIntervalSeconds (60)",
    args: () => [
      "--config-file",
      variant(
        "alert-window",
        (c) =>
          (c["ara:observability"] = {
            alerting: {
              rules: { "cache-hit-rate": { severity: "warning", threshold: 0.8, forSeconds: 30 } },
            },
          }),
      ),
    ],
  },
  {
    name: "an alert threshold out of range (90 meant as 90%)",
    key: "ara:observability.alerting.rules.database-connections.threshold",
    says: "must be between 0 and 1 (a ratio: 0.9 is 90%)",
    args: () => [
      "--config-file",
      variant(
        "alert-threshold",
        (c) =>
          (c["ara:observability"] = {
            alerting: {
              rules: {
                "database-connections": { severity: "critical", threshold: 90, forSeconds: 0 },
              },
            },
          }),
      ),
    ],
  },
  {
    name: "logs kept longer than Workers Logs without the archive",
    key: "ara:observability.logs.workerArchive",
    says: "must be true when retentionDays exceeds the 7 days Workers Logs keeps",
    args: () => [
      "--config-file",
      variant(
        "log-archive",
        (c) => (c["ara:observability"] = { logs: { retentionDays: 30, workerArchive: false } }),
      ),
    ],
  },
  {
    name: "the app's logs kept longer than Vercel's runtime logs without the archive",
    key: "ara:observability.logs.appArchive",
    says: "must be true when retentionDays exceeds the 1 day Vercel keeps the app's runtime logs",
    args: () => [
      "--config-file",
      variant("app-log-archive", (c) => (c["ara:observability"] = { logs: { appArchive: false } })),
    ],
  },
  {
    name: "an escalation level without targets",
    key: "ara:oncall.escalation[1].targets",
    says: "must name at least one target",
    args: () => [
      "--config-file",
      variant(
        "oncall-targets",
        (c) =>
          (c["ara:oncall"] = {
            escalation: [
              { targets: ["on-call"], delayMinutes: 5 },
              { targets: [], delayMinutes: 30 },
            ],
          }),
      ),
    ],
  },
  {
    name: "an escalation delay of zero",
    key: "ara:oncall.escalation[0].delayMinutes",
    says: "must be at least 1 minute",
    args: () => [
      "--config-file",
      variant(
        "oncall-delay-zero",
        (c) => (c["ara:oncall"] = { escalation: [{ targets: ["on-call"], delayMinutes: 0 }] }),
      ),
    ],
  },
  {
    name: "a negative escalation delay",
    key: "ara:oncall.escalation[0].delayMinutes",
    says: "must be at least 1 minute",
    args: () => [
      "--config-file",
      variant(
        "oncall-delay-negative",
        (c) => (c["ara:oncall"] = { escalation: [{ targets: ["on-call"], delayMinutes: -5 }] }),
      ),
    ],
  },
  {
    name: "a schedule user that is not an email address",
    key: "ara:oncall.rotation.users[1]",
    says: "must be an email address",
    args: () => [
      "--config-file",
      variant(
        "oncall-user",
        (c) =>
          (c["ara:oncall"] = {
            rotation: { users: ["oncall-1@ara.example", "jane"], start: "2026-01-05T09:00:00Z" },
          }),
      ),
    ],
  },
  {
    name: "a maintenance window with an invalid time",
    key: "ara:oncall.maintenance[0].start",
    says: "must be a UTC time as HH:MM",
    args: () => [
      "--config-file",
      variant(
        "oncall-window-time",
        (c) =>
          (c["ara:oncall"] = {
            maintenance: [{ name: "nightly", weekdays: ["sunday"], start: "25:00", end: "04:00" }],
          }),
      ),
    ],
  },
  {
    name: "a maintenance window with an invalid weekday",
    key: "ara:oncall.maintenance[0].weekdays[0]",
    says: "must be one of monday",
    args: () => [
      "--config-file",
      variant(
        "oncall-window-day",
        (c) =>
          (c["ara:oncall"] = {
            maintenance: [{ name: "nightly", weekdays: ["sundae"], start: "02:00", end: "04:00" }],
          }),
      ),
    ],
  },
  {
    name: "a routing severity with no matching priority",
    key: "ara:oncall.routing.warning",
    says: "must name a priority in oncall.priorities",
    args: () => [
      "--config-file",
      variant(
        "oncall-routing",
        (c) => (c["ara:oncall"] = { routing: { critical: "P0", warning: "P3" } }),
      ),
    ],
  },
  {
    name: "credential in plain text",
    key: "ara:cloudflareApiToken",
    args: () => [
      "--config-file",
      variant("plain-secret", (c) => (c["ara:cloudflareApiToken"] = "abc123")),
    ],
  },
  {
    name: "config is not a map",
    key: "config",
    args: () =>
      ["--config-file", variant("not-map", (c) => Object.keys(c).forEach((k) => delete c[k]))].map(
        (a) => (a.endsWith(".yaml") ? (writeFileSync(a, "config:\n  - 1\n  - 2\n"), a) : a),
      ),
  },
  {
    name: "malformed YAML",
    key: "malformed.yaml is not valid YAML at line",
    args: () => {
      const f = path.join(dir, "malformed.yaml");
      writeFileSync(f, "config:\n  ara:environment: prod\n  ara:domain: [oops\n");
      return ["--config-file", f];
    },
  },
  { name: "unknown stack name", key: "qa", args: () => ["--stack-override", "qa"] },
];

describe("invalid stack config", () => {
  it.each(cases)("$name: exits 2 naming $key, registers nothing", async ({ key, says, args }) => {
    const extra = args();
    const argv =
      extra[0] === "--stack-override" ? ["--stack", extra[1]!] : ["--stack", "prod", ...extra];
    const code = await main(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(key);
    if (says) expect(stderr).toContain(says);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(registered()).toBe(0);
  });

  it("a usage error exits 2 with the usage text", async () => {
    expect(await main(["--stack"])).toBe(2);
    expect(stderr).toContain("Usage: npm run plan");
    expect(await main(["--stack", "prod", "--colour"])).toBe(2);
  });
});

describe("a placeholder identifier in a real run", () => {
  it("stops the program before any cloud resource is registered", async () => {
    const run = planStack("prod", { offline: false });
    await expect(run).rejects.toThrow(/ara:cloudflareAccountId: still holds the placeholder/);
    const resources = [
      ...(pulumi.runtime.getMonitor() as any).getRegisteredResources().values(),
    ] as { urn: string }[];
    // Only the root stack, which Pulumi registers before any program code runs.
    expect(resources.map((r) => r.urn)).toEqual([
      "urn:pulumi:prod::ara::pulumi:pulumi:Stack::ara-prod",
    ]);
  });
});
