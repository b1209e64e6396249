import { describe, expect, it } from "vitest";
import * as catalog from "../cost/catalog";
import { biggestLines, rate, rateMinutes, usd } from "../cost/estimate";
import { T } from "../lib/types";
import { costResource as res, estimate, line } from "./harness/cost";

const DB = "pulumi-nodejs:dynamic/planetscale:Database";
const BRANCH = "pulumi-nodejs:dynamic/planetscale:Branch";

describe("PlanetScale", () => {
  it("prices an HA cluster and storage above the included 10 GB", () => {
    const est = estimate(
      [res(DB, "db", { clusterSize: "PS_40_AWS_ARM", replicas: 2, region: "us-east" })],
      { databaseStorageGb: 20 },
    );
    expect(line(est, "Postgres PS_40_AWS_ARM, HA (primary + 2 replicas)").monthly).toBe(83);
    // (20 − 10) GB × $0.125 = $1.25
    expect(line(est, "storage").monthly).toBe(1.25);
    expect(line(est, "storage").basis).toBe("max(0, 20 GB − 10 GB included) × $0.125/GB-month");
    expect(est.monthlyTotal).toBe(84.25);
  });

  it("prices egress above the 100 GB a cluster includes, or 10 GB on a PS-5 single node", () => {
    const ha = estimate(
      [res(DB, "db", { clusterSize: "PS_40_AWS_ARM", replicas: 2, region: "us-east" })],
      { databaseEgressGbPerMonth: 150 },
    );
    // (150 − 100) GB × $0.06 = $3.00
    expect(line(ha, "egress").monthly).toBe(3);
    expect(line(ha, "egress").basis).toBe("max(0, 150 GB − 100 GB included) × $0.06/GB");
    const small = estimate(
      [res(DB, "db", { clusterSize: "PS_5_AWS_ARM", replicas: 0, region: "us-east" })],
      { databaseEgressGbPerMonth: 30 },
    );
    // (30 − 10) GB × $0.06 = $1.20
    expect(line(small, "egress").monthly).toBe(1.2);
    expect(line(small, "egress").basis).toContain("− 10 GB included");
  });

  it("prices a single node, extra replicas at a third of HA, and flags other regions", () => {
    const single = estimate([
      res(DB, "db", { clusterSize: "PS_10_AWS_X86", replicas: 0, region: "eu-west" }),
    ]);
    const node = line(single, "Postgres PS_10_AWS_X86, single node");
    expect(node.monthly).toBe(13);
    expect(node.basis).toContain("region eu-west may differ");

    const five = estimate([
      res(DB, "db", { clusterSize: "PS_20_AWS_ARM", replicas: 5, region: "us-east" }),
    ]);
    // HA $50 + 3 extra × $50 / 3 = $50 + $50
    expect(line(five, "3 extra replicas").monthly).toBe(50);
    expect(five.monthlyTotal).toBe(100);
  });

  it("prices a PS-DEV branch at $5 and skips the database's own main branch", () => {
    const est = estimate([
      res(BRANCH, "dev", {
        name: "development",
        parentBranch: "main",
        clusterSize: "PS_DEV_AWS_ARM",
      }),
      res(BRANCH, "main", { name: "main" }),
    ]);
    expect(est.lines).toHaveLength(1);
    expect(est.lines[0]!.monthly).toBe(5);
  });

  it("reports an unknown SKU as unpriced instead of guessing", () => {
    const est = estimate([res(DB, "db", { clusterSize: "PS_40_GCP_ARM", replicas: 2 })]);
    expect(est.lines).toHaveLength(0);
    expect(est.unpriced[0]!.reason).toContain("PS_40_GCP_ARM");
  });
});

describe("Upstash", () => {
  it("counts replication to read regions, adds storage, caps at the budget, adds Prod Pack", () => {
    const est = estimate(
      [res(T.upstashRedis, "cache", { readRegions: ["us-west-1"], budget: 100, prodPack: true })],
      { redisCommandsPerMonth: 10_000_000, redisStorageGb: 3 },
    );
    // 10M × 2 = 20M commands → 200 × $0.20 = $40; (3 − 1) GB × $0.25 = $0.50
    expect(line(est, "pay-as-you-go commands and storage").monthly).toBe(40.5);
    expect(line(est, "Prod Pack").monthly).toBe(200);

    const capped = estimate([res(T.upstashRedis, "cache", { readRegions: [] })], {
      redisCommandsPerMonth: 50_000_000,
    });
    // $100 of commands, capped by the $20 default budget
    expect(line(capped, "pay-as-you-go commands and storage").monthly).toBe(20);
    expect(capped.lines.some((l) => l.item === "Prod Pack")).toBe(false);
  });
});

describe("Cloudflare", () => {
  it("prices R2 above the account's free tier times the stack's share", () => {
    const est = estimate([res(T.r2Bucket, "reports")], {
      reportStorageGb: 50,
      reportWritesPerMonth: 3_000_000,
      reportReadsPerMonth: 25_000_000,
      sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
    });
    // (50 − 10 × 0.5) × $0.015 = $0.675 → $0.68
    expect(line(est, "storage").monthly).toBe(0.68);
    // (3M − 0.5M) / 1M × $4.50 = $11.25
    expect(line(est, "Class A operations").monthly).toBe(11.25);
    // (25M − 5M) / 1M × $0.36 = $7.20
    expect(line(est, "Class B operations").monthly).toBe(7.2);
  });

  it("charges the Workers Paid share once, requests and CPU above the included amounts", () => {
    const est = estimate([res(T.workersScript, "signer"), res(T.queue, "events")], {
      workerRequestsPerMonth: 20_000_000,
      workerCpuMsPerRequest: 7,
      reportWritesPerMonth: 1_000_000,
      sharedCostShare: { vercelPro: 0, workersPaid: 1 },
    });
    expect(est.lines.filter((l) => l.item.startsWith("Workers Paid"))).toHaveLength(1);
    expect(line(est, "Workers Paid subscription (shared)").monthly).toBe(5);
    // (20M − 10M) × $0.30/1M = $3.00; (140M − 30M) ms × $0.02/1M = $2.20
    expect(line(est, "requests").monthly).toBe(3);
    expect(line(est, "CPU time").monthly).toBe(2.2);
    // (1M × 3 − 1M) × $0.40/1M = $0.80
    expect(line(est, "operations").monthly).toBe(0.8);
  });

  it("matches the pricing page's worked example (15M requests × 7 ms = $8.00)", () => {
    const est = estimate([res(T.workersScript, "signer")], {
      workerRequestsPerMonth: 15_000_000,
      workerCpuMsPerRequest: 7,
    });
    expect(est.monthlyTotal).toBe(8);
  });

  it("prices the zone plan on the first zone-scoped resource; Enterprise is unpriced", () => {
    const zone = res(T.zoneSetting, "tls", { settingId: "min_tls_version" });
    const pro = estimate([zone, res(T.dnsRecord, "a")], {}, "pro");
    expect(pro.lines).toEqual([
      expect.objectContaining({
        urn: zone.urn,
        item: "Pro zone plan",
        monthly: catalog.cloudflare.zonePlans.pro,
      }),
    ]);
    const ent = estimate([zone], {}, "enterprise");
    expect(ent.lines).toHaveLength(0);
    expect(ent.unpriced).toHaveLength(1);
  });
});

describe("Vercel", () => {
  it("charges fee share, seats and usage, then the usage credit share", () => {
    const est = estimate([res(T.vercelProject, "app")], {
      appRequestsPerMonth: 10_000_000,
      appFunctionInvocationsPerMonth: 5_000_000,
      appFunctionCpuHoursPerMonth: 100,
      appDataTransferGbPerMonth: 600,
      vercelSeats: 3,
      sharedCostShare: { vercelPro: 0.5, workersPaid: 0 },
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
    const est = estimate([res(T.vercelProject, "app")], { appFunctionCpuHoursPerMonth: 10 });
    // $1.28 usage, $20 credit → −$1.28; total = $20 fee
    expect(line(est, "included usage credit (shared)").monthly).toBe(-1.28);
    expect(est.monthlyTotal).toBe(20);
  });
});

describe("AWS", () => {
  it("prices replica storage and one PUT per report, KMS keys, alarms and canaries", () => {
    const est = estimate(
      [
        res(T.s3Bucket, "replica"),
        res(T.kmsKey, "key", { enableKeyRotation: true }),
        res(T.metricAlarm, "alarm"),
        res(T.canary, "canary", { schedule: { expression: "rate(5 minutes)" } }),
      ],
      { replicaStorageGb: 60, reportWritesPerMonth: 200_000 },
    );
    // 60 × $0.023 = $1.38; 200,000 / 1,000 × $0.005 = $1.00
    expect(line(est, "storage (Standard)").monthly).toBe(1.38);
    expect(line(est, "PUT requests").monthly).toBe(1);
    expect(line(est, "customer managed key").monthly).toBe(3);
    expect(line(est, "alarm").monthly).toBe(0.1);
    // 730 × 60 / 5 = 8,760 runs × $0.0012 = $10.512 → $10.51
    expect(line(est, "canary runs").monthly).toBe(10.51);
  });

  it("prices the Database component's bucket as backups, apart from the report replica", () => {
    const backup = {
      ...res(T.s3Bucket, "database-backup"),
      urn: `urn:pulumi:prod::ara::ara:database:Database$${T.s3Bucket}::database-backup`,
    };
    const est = estimate([res(T.s3Bucket, "replica"), backup], {
      replicaStorageGb: 60,
      reportWritesPerMonth: 200_000,
      databaseBackupStorageGb: 15,
    });
    // The replica keeps all of its own usage: 60 × $0.023 = $1.38.
    expect(line(est, "storage (Standard)").monthly).toBe(1.38);
    // 15 × $0.023 = $0.345 → $0.35; 30 PUTs cost under a cent.
    expect(line(est, "database backups (Standard)").monthly).toBe(0.35);
    expect(line(est, "database backup PUTs").basis).toBe("30 nightly dumps × $0.005/1,000");
  });

  it("parses rate() schedules and refuses cron", () => {
    expect(rateMinutes("rate(1 minute)")).toBe(1);
    expect(rateMinutes("rate(2 hours)")).toBe(120);
    expect(rateMinutes("rate(1 day)")).toBe(1440);
    expect(rateMinutes("cron(0 12 * * ? *)")).toBeUndefined();
    const est = estimate([res(T.canary, "c", { schedule: { expression: "cron(0 * * * ? *)" } })]);
    expect(est.unpriced).toHaveLength(1);
  });
});

describe("the whole estimate", () => {
  it("splits a usage figure evenly between resources of the same kind", () => {
    const est = estimate([res(T.s3Bucket, "a"), res(T.s3Bucket, "b")], {
      replicaStorageGb: 100,
    });
    const storage = est.lines.filter((l) => l.item === "storage (Standard)");
    expect(storage.map((l) => l.monthly)).toEqual([1.15, 1.15]);
    expect(storage[0]!.basis).toBe("100 / 2 resources GB × $0.023/GB-month");
  });

  it("ignores free and non-billable types but flags unknown billable ones", () => {
    const est = estimate([
      res(T.iamUser, "u"),
      res("ara:storage:Reports", "component"),
      res("pulumi:providers:aws", "aws"),
      res("random:index/randomBytes:RandomBytes", "key"),
      res("aws:rds/instance:Instance", "rds"),
      res("pulumi-nodejs:dynamic/other:Thing", "thing"),
    ]);
    expect(est.lines).toHaveLength(0);
    expect(est.unpriced.map((u) => u.type)).toEqual([
      "aws:rds/instance:Instance",
      "pulumi-nodejs:dynamic/other:Thing",
    ]);
  });

  it("totals the rounded lines and lists the biggest first", () => {
    const est = estimate([
      res(DB, "db", { clusterSize: "PS_10_AWS_ARM", replicas: 0 }),
      res(T.upstashRedis, "c", { prodPack: true }),
    ]);
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
    const est = estimate([res(T.queue, "events"), res(T.queue, "dlq")], {
      reportWritesPerMonth: 200_000,
      sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
    });
    // (200,000 × 3 − 500,000) × $0.40/1M = $0.04, half on each queue
    const ops = est.lines.filter((l) => l.item === "operations");
    expect(ops.map((l) => l.monthly)).toEqual([0.02, 0.02]);
    expect(ops[0]!.basis).toContain("divided between 2 resources");
  });
});
