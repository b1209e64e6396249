import { describe, expect, it } from "vitest";
import type { UsageSettings } from "../../stacks/schema";
import * as catalog from "../cost/catalog";
import {
  biggestLines,
  estimateMonthlyCost,
  rate,
  rateMinutes,
  usd,
  type CostResource,
} from "../cost/estimate";
import { T } from "../lib/types";

const ZERO: UsageSettings = {
  appRequestsPerMonth: 0,
  appFunctionInvocationsPerMonth: 0,
  appFunctionCpuHoursPerMonth: 0,
  appDataTransferGbPerMonth: 0,
  vercelSeats: 0,
  workerRequestsPerMonth: 0,
  workerCpuMsPerRequest: 0,
  reportStorageGb: 0,
  reportWritesPerMonth: 0,
  reportReadsPerMonth: 0,
  redisCommandsPerMonth: 0,
  redisStorageGb: 0,
  databaseStorageGb: 0,
  replicaStorageGb: 0,
  sharedCostShare: { vercelPro: 1, workersPaid: 1 },
};

const usage = (u: Partial<UsageSettings>): UsageSettings => ({ ...ZERO, ...u });
const res = (type: string, name: string, props: Record<string, unknown>): CostResource => ({
  urn: `urn:pulumi:test::ara::${type}::${name}`,
  type,
  name,
  props,
});
const DB = "pulumi-nodejs:dynamic/planetscale:Database";
const BRANCH = "pulumi-nodejs:dynamic/planetscale:Branch";

function line(est: ReturnType<typeof estimateMonthlyCost>, item: string) {
  const l = est.lines.find((x) => x.item === item);
  if (!l) throw new Error(`no line "${item}" in ${est.lines.map((x) => x.item).join(", ")}`);
  return l;
}

describe("PlanetScale", () => {
  it("prices an HA cluster and storage above the included 10 GB", () => {
    const est = estimateMonthlyCost(
      [res(DB, "db", { clusterSize: "PS_40_AWS_ARM", replicas: 2, region: "us-east" })],
      { usage: usage({ databaseStorageGb: 20 }), cloudflarePlan: "free" },
    );
    expect(line(est, "Postgres PS_40_AWS_ARM, HA (primary + 2 replicas)").monthly).toBe(83);
    // (20 − 10) GB × $0.125 = $1.25
    expect(line(est, "storage").monthly).toBe(1.25);
    expect(line(est, "storage").basis).toBe("max(0, 20 GB − 10 GB included) × $0.125/GB-month");
    expect(est.monthlyTotal).toBe(84.25);
  });

  it("prices a single node, extra replicas at a third of HA, and flags other regions", () => {
    const single = estimateMonthlyCost(
      [res(DB, "db", { clusterSize: "PS_10_AWS_X86", replicas: 0, region: "eu-west" })],
      { usage: ZERO, cloudflarePlan: "free" },
    );
    const node = line(single, "Postgres PS_10_AWS_X86, single node");
    expect(node.monthly).toBe(13);
    expect(node.basis).toContain("region eu-west may differ");

    const five = estimateMonthlyCost(
      [res(DB, "db", { clusterSize: "PS_20_AWS_ARM", replicas: 5, region: "us-east" })],
      { usage: ZERO, cloudflarePlan: "free" },
    );
    // HA $50 + 3 extra × $50 / 3 = $50 + $50
    expect(line(five, "3 extra replicas").monthly).toBe(50);
    expect(five.monthlyTotal).toBe(100);
  });

  it("prices a PS-DEV branch at $5 and skips the database's own main branch", () => {
    const est = estimateMonthlyCost(
      [
        res(BRANCH, "dev", {
          name: "development",
          parentBranch: "main",
          clusterSize: "PS_DEV_AWS_ARM",
        }),
        res(BRANCH, "main", { name: "main" }),
      ],
      { usage: ZERO, cloudflarePlan: "free" },
    );
    expect(est.lines).toHaveLength(1);
    expect(est.lines[0]!.monthly).toBe(5);
  });

  it("reports an unknown SKU as unpriced instead of guessing", () => {
    const est = estimateMonthlyCost(
      [res(DB, "db", { clusterSize: "PS_40_GCP_ARM", replicas: 2 })],
      {
        usage: ZERO,
        cloudflarePlan: "free",
      },
    );
    expect(est.lines).toHaveLength(0);
    expect(est.unpriced[0]!.reason).toContain("PS_40_GCP_ARM");
  });
});

describe("Upstash", () => {
  it("counts replication to read regions, adds storage, caps at the budget, adds Prod Pack", () => {
    const est = estimateMonthlyCost(
      [res(T.upstashRedis, "cache", { readRegions: ["us-west-1"], budget: 100, prodPack: true })],
      {
        usage: usage({ redisCommandsPerMonth: 10_000_000, redisStorageGb: 3 }),
        cloudflarePlan: "free",
      },
    );
    // 10M × 2 = 20M commands → 200 × $0.20 = $40; (3 − 1) GB × $0.25 = $0.50
    expect(line(est, "pay-as-you-go commands and storage").monthly).toBe(40.5);
    expect(line(est, "Prod Pack").monthly).toBe(200);

    const capped = estimateMonthlyCost([res(T.upstashRedis, "cache", { readRegions: [] })], {
      usage: usage({ redisCommandsPerMonth: 50_000_000 }),
      cloudflarePlan: "free",
    });
    // $100 of commands, capped by the $20 default budget
    expect(line(capped, "pay-as-you-go commands and storage").monthly).toBe(20);
    expect(capped.lines.some((l) => l.item === "Prod Pack")).toBe(false);
  });
});

describe("Cloudflare", () => {
  it("prices R2 above the account's free tier times the stack's share", () => {
    const est = estimateMonthlyCost([res(T.r2Bucket, "reports", {})], {
      usage: usage({
        reportStorageGb: 50,
        reportWritesPerMonth: 3_000_000,
        reportReadsPerMonth: 25_000_000,
        sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
      }),
      cloudflarePlan: "free",
    });
    // (50 − 10 × 0.5) × $0.015 = $0.675 → $0.68
    expect(line(est, "storage").monthly).toBe(0.68);
    // (3M − 0.5M) / 1M × $4.50 = $11.25
    expect(line(est, "Class A operations").monthly).toBe(11.25);
    // (25M − 5M) / 1M × $0.36 = $7.20
    expect(line(est, "Class B operations").monthly).toBe(7.2);
  });

  it("charges the Workers Paid share once, requests and CPU above the included amounts", () => {
    const est = estimateMonthlyCost(
      [res(T.workersScript, "signer", {}), res(T.queue, "events", {})],
      {
        usage: usage({
          workerRequestsPerMonth: 20_000_000,
          workerCpuMsPerRequest: 7,
          reportWritesPerMonth: 1_000_000,
          sharedCostShare: { vercelPro: 0, workersPaid: 1 },
        }),
        cloudflarePlan: "free",
      },
    );
    expect(est.lines.filter((l) => l.item.startsWith("Workers Paid"))).toHaveLength(1);
    expect(line(est, "Workers Paid subscription (shared)").monthly).toBe(5);
    // (20M − 10M) × $0.30/1M = $3.00; (140M − 30M) ms × $0.02/1M = $2.20
    expect(line(est, "requests").monthly).toBe(3);
    expect(line(est, "CPU time").monthly).toBe(2.2);
    // (1M × 3 − 1M) × $0.40/1M = $0.80
    expect(line(est, "operations").monthly).toBe(0.8);
  });

  it("matches the pricing page's worked example (15M requests × 7 ms = $8.00)", () => {
    const est = estimateMonthlyCost([res(T.workersScript, "signer", {})], {
      usage: usage({ workerRequestsPerMonth: 15_000_000, workerCpuMsPerRequest: 7 }),
      cloudflarePlan: "free",
    });
    expect(est.monthlyTotal).toBe(8);
  });

  it("prices the zone plan on the first zone-scoped resource; Enterprise is unpriced", () => {
    const zone = res(T.zoneSetting, "tls", { settingId: "min_tls_version" });
    const pro = estimateMonthlyCost([zone, res(T.dnsRecord, "a", {})], {
      usage: ZERO,
      cloudflarePlan: "pro",
    });
    expect(pro.lines).toEqual([
      expect.objectContaining({
        urn: zone.urn,
        item: "Pro zone plan",
        monthly: catalog.cloudflare.zonePlans.pro,
      }),
    ]);
    const ent = estimateMonthlyCost([zone], { usage: ZERO, cloudflarePlan: "enterprise" });
    expect(ent.lines).toHaveLength(0);
    expect(ent.unpriced).toHaveLength(1);
  });
});

describe("Vercel", () => {
  it("charges fee share, seats and usage, then the usage credit share", () => {
    const est = estimateMonthlyCost([res(T.vercelProject, "app", {})], {
      usage: usage({
        appRequestsPerMonth: 10_000_000,
        appFunctionInvocationsPerMonth: 5_000_000,
        appFunctionCpuHoursPerMonth: 100,
        appDataTransferGbPerMonth: 600,
        vercelSeats: 3,
        sharedCostShare: { vercelPro: 0.5, workersPaid: 0 },
      }),
      cloudflarePlan: "free",
    });
    expect(line(est, "Pro platform fee (shared)").monthly).toBe(10);
    expect(line(est, "extra deploying seats").monthly).toBe(60);
    // (10M − 5M) × $2/1M = $10; (600 − 500) GB × $0.15 = $15; 5M × $0.60/1M = $3; 100 h × $0.128 = $12.80
    expect(line(est, "edge requests").monthly).toBe(10);
    expect(line(est, "fast data transfer").monthly).toBe(15);
    expect(line(est, "function invocations").monthly).toBe(3);
    expect(line(est, "active CPU").monthly).toBe(12.8);
    // usage $40.80, credit $20 × 0.5 = $10
    expect(line(est, "included usage credit (shared)").monthly).toBe(-10);
    expect(est.monthlyTotal).toBe(100.8);
  });

  it("never credits more than the usage", () => {
    const est = estimateMonthlyCost([res(T.vercelProject, "app", {})], {
      usage: usage({ appFunctionCpuHoursPerMonth: 10 }),
      cloudflarePlan: "free",
    });
    // $1.28 usage, $20 credit → −$1.28; total = $20 fee
    expect(line(est, "included usage credit (shared)").monthly).toBe(-1.28);
    expect(est.monthlyTotal).toBe(20);
  });
});

describe("AWS", () => {
  it("prices replica storage and one PUT per report, KMS keys, alarms and canaries", () => {
    const est = estimateMonthlyCost(
      [
        res(T.s3Bucket, "replica", {}),
        res(T.kmsKey, "key", { enableKeyRotation: true }),
        res(T.metricAlarm, "alarm", {}),
        res(T.canary, "canary", { schedule: { expression: "rate(5 minutes)" } }),
      ],
      {
        usage: usage({ replicaStorageGb: 60, reportWritesPerMonth: 200_000 }),
        cloudflarePlan: "free",
      },
    );
    // 60 × $0.023 = $1.38; 200,000 / 1,000 × $0.005 = $1.00
    expect(line(est, "storage (Standard)").monthly).toBe(1.38);
    expect(line(est, "PUT requests").monthly).toBe(1);
    expect(line(est, "customer managed key").monthly).toBe(3);
    expect(line(est, "alarm").monthly).toBe(0.1);
    // 730 × 60 / 5 = 8,760 runs × $0.0012 = $10.512 → $10.51
    expect(line(est, "canary runs").monthly).toBe(10.51);
  });

  it("parses rate() schedules and refuses cron", () => {
    expect(rateMinutes("rate(1 minute)")).toBe(1);
    expect(rateMinutes("rate(2 hours)")).toBe(120);
    expect(rateMinutes("rate(1 day)")).toBe(1440);
    expect(rateMinutes("cron(0 12 * * ? *)")).toBeUndefined();
    const est = estimateMonthlyCost(
      [res(T.canary, "c", { schedule: { expression: "cron(0 * * * ? *)" } })],
      {
        usage: ZERO,
        cloudflarePlan: "free",
      },
    );
    expect(est.unpriced).toHaveLength(1);
  });
});

describe("the whole estimate", () => {
  it("splits a usage figure evenly between resources of the same kind", () => {
    const est = estimateMonthlyCost([res(T.s3Bucket, "a", {}), res(T.s3Bucket, "b", {})], {
      usage: usage({ replicaStorageGb: 100 }),
      cloudflarePlan: "free",
    });
    const storage = est.lines.filter((l) => l.item === "storage (Standard)");
    expect(storage.map((l) => l.monthly)).toEqual([1.15, 1.15]);
    expect(storage[0]!.basis).toBe("100 / 2 resources GB × $0.023/GB-month");
  });

  it("ignores free and non-billable types but flags unknown billable ones", () => {
    const est = estimateMonthlyCost(
      [
        res(T.iamUser, "u", {}),
        res("ara:storage:Reports", "component", {}),
        res("pulumi:providers:aws", "aws", {}),
        res("random:index/randomBytes:RandomBytes", "key", {}),
        res("aws:rds/instance:Instance", "rds", {}),
        res("pulumi-nodejs:dynamic/other:Thing", "thing", {}),
      ],
      { usage: ZERO, cloudflarePlan: "free" },
    );
    expect(est.lines).toHaveLength(0);
    expect(est.unpriced.map((u) => u.type)).toEqual([
      "aws:rds/instance:Instance",
      "pulumi-nodejs:dynamic/other:Thing",
    ]);
  });

  it("totals the rounded lines and lists the biggest first", () => {
    const est = estimateMonthlyCost(
      [
        res(DB, "db", { clusterSize: "PS_10_AWS_ARM", replicas: 0 }),
        res(T.upstashRedis, "c", { prodPack: true }),
      ],
      { usage: ZERO, cloudflarePlan: "free" },
    );
    expect(est.monthlyTotal).toBe(210);
    expect(biggestLines(est.lines, 1)[0]!.item).toBe("Prod Pack");
  });

  it("formats money and unit prices without losing digits", () => {
    expect(usd(1234.5)).toBe("$1,234.50");
    expect(usd(-10)).toBe("-$10.00");
    expect(rate(0.125)).toBe("$0.125");
    expect(rate(0.0012)).toBe("$0.0012");
    expect(rate(0.3)).toBe("$0.30");
  });
});

describe("catalog", () => {
  it("gives every price and allowance a source and a date", () => {
    const entries: [string, unknown][] = [];
    // Entries nest (a metered price carries its included allowance), so every level is checked.
    const walk = (v: unknown, at: string) => {
      if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if ("usd" in o || "quantity" in o || "skus" in o || "pro" in o) entries.push([at, o]);
        for (const [k, x] of Object.entries(o)) walk(x, `${at}.${k}`);
      }
    };
    walk(catalog, "catalog");
    expect(entries.length).toBeGreaterThan(30);
    for (const [at, e] of entries) {
      const o = e as { source?: unknown; date?: unknown };
      expect(typeof o.source, at).toBe("string");
      expect(String(o.date), at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe("account-level allowances", () => {
  it("are subtracted once per kind, then the amount is divided between resources", () => {
    const est = estimateMonthlyCost([res(T.queue, "events", {}), res(T.queue, "dlq", {})], {
      usage: usage({
        reportWritesPerMonth: 200_000,
        sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
      }),
      cloudflarePlan: "free",
    });
    // (200,000 × 3 − 500,000) × $0.40/1M = $0.04, half on each queue
    const ops = est.lines.filter((l) => l.item === "operations");
    expect(ops.map((l) => l.monthly)).toEqual([0.02, 0.02]);
    expect(ops[0]!.basis).toContain("divided between 2 resources");
  });
});
