import { describe, expect, it } from "vitest";
import { cloudflare } from "../cost/catalog";
import type { CostLine } from "../cost/estimate";
import { T } from "../lib/types";
import { costResource as res, estimate } from "./harness/cost";
import { evaluate, find, type Graph, type StackName } from "./harness/real-graph";

/**
 * Workers Logs on Cloudflare Observability pricing (from 2026-12-01). Figures computed by hand
 * from policies/cost/catalog.ts: 2 events per logged request or queue message, 3,000 bytes per
 * event, 7 days queryable; $0.25/GB above 50 GB and $0.10/GB-month above 12 GB-month, each
 * × the stack's Workers Paid share.
 */

const INGESTION = "log ingestion";
const STORAGE = "log storage (7 days)";
const logLines = (lines: readonly CostLine[]) =>
  lines.filter((l) => l.service === "Cloudflare Workers Logs");
const leaf = (urn: string) => urn.split("::").pop();

/** A script with Workers Logs on at `rate`, as components/worker registers it. */
const script = (name: string, rate: number) =>
  res(T.workersScript, name, {
    scriptName: `ara-test-${name}`,
    observability: {
      enabled: true,
      logs: { enabled: true, invocationLogs: true, headSamplingRate: rate },
    },
  });

describe("Workers Logs in each committed stack (real graph)", () => {
  // GB = (workerRequestsPerMonth + appLogBatchesPerMonth [+ reportWritesPerMonth, prod's
  // replicator]) × 1 sampled × 2 events × 3,000 bytes; stored = GB × 7 / 30.
  // dev (20,000 + 45,000) × 6,000 B = 0.39 GB; staging (100,000 + 45,000) × 6,000 B = 0.87 GB;
  // prod (2,000,000 + 150,000 + 200,000) × 6,000 B = 14.1 GB.
  const expected: Record<StackName, { scripts: string[]; gb: string; stored: string }> = {
    dev: { scripts: ["worker-script"], gb: "0.39", stored: "0.091" },
    staging: { scripts: ["worker-script"], gb: "0.87", stored: "0.203" },
    prod: { scripts: ["worker-script", "worker-replicator"], gb: "14.1", stored: "3.29" },
  };

  it.each(["dev", "staging", "prod"] as const)(
    "%s: both lines on every worker script, with the stack's quantity, $0.00 inside its share",
    async (stack) => {
      const e = await evaluate({ stack });
      const want = expected[stack];
      const lines = logLines(e.cost.lines);
      for (const item of [INGESTION, STORAGE]) {
        expect(
          lines.filter((l) => l.item === item).map((l) => leaf(l.urn)),
          item,
        ).toEqual(want.scripts);
      }
      const { gb } = want;
      const ingestion = lines.find((l) => l.item === INGESTION)!;
      expect(ingestion.basis).toContain(`× 1 sampled`);
      expect(ingestion.basis).toContain(`× 2 events × 3,000 bytes = ${gb} GB − 50 GB included`);
      const storage = lines.find((l) => l.item === STORAGE)!;
      expect(storage.basis).toContain(
        `${gb} GB ingested × 7 days / 30 = ${want.stored} GB − 12 GB included`,
      );
      expect(lines.every((l) => l.monthly === 0)).toBe(true);
    },
  );

  it("takes each script's own head-sampling rate from the program's resource", async () => {
    // prod, the signer at 10%: (2,150,000 × 0.1 + 200,000 × 1) × 6,000 B = 2.49 GB.
    const sampled = (g: Graph) => {
      const signer = find(g, "worker-script");
      const o = signer.props.observability as { logs: Record<string, unknown> };
      o.logs.headSamplingRate = 0.1;
    };
    const e = await evaluate({ stack: "prod", mutate: sampled });
    const ingestion = logLines(e.cost.lines).find((l) => l.item === INGESTION)!;
    expect(ingestion.basis).toContain(
      "((2,000,000 worker requests + 150,000 app log batches) × 0.1 sampled + 200,000 queue messages × 1 sampled) × 2 events × 3,000 bytes = 2.49 GB",
    );
  });

  it("prices no Workers Logs on a script whose observability is off", async () => {
    const off = (g: Graph) => {
      find(g, "worker-replicator").props.observability = { enabled: false };
    };
    const e = await evaluate({ stack: "prod", mutate: off });
    const lines = logLines(e.cost.lines);
    expect(new Set(lines.map((l) => leaf(l.urn)))).toEqual(new Set(["worker-script"]));
    expect(lines.find((l) => l.item === INGESTION)!.basis).not.toContain("queue messages");
  });
});

describe("Workers Logs beyond the allowances", () => {
  it("costs $0.25/GB ingested and $0.10/GB-month stored above the stack's share", () => {
    // 10M requests × 2 × 3,000 B = 60 GB; stored 60 × 7 / 30 = 14 GB-month.
    // Share 0.5: (60 − 25) × $0.25 = $8.75 and (14 − 6) × $0.10 = $0.80.
    const est = estimate([script("worker-script", 1)], {
      workerRequestsPerMonth: 10_000_000,
      sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
    });
    const line = (item: string) => logLines(est.lines).find((l) => l.item === item)!;
    expect(line(INGESTION).monthly).toBe(8.75);
    expect(line(INGESTION).basis).toBe(
      "max(0, 10,000,000 worker requests × 1 sampled × 2 events × 3,000 bytes = 60 GB − 50 GB included × 0.5 share) × $0.25/GB",
    );
    expect(line(STORAGE).monthly).toBe(0.8);
    expect(line(STORAGE).basis).toBe(
      "max(0, 60 GB ingested × 7 days / 30 = 14 GB − 12 GB included × 0.5 share) × $0.10/GB-month",
    );
  });

  it("is $0.00 exactly up to the allowance, and sampling scales both meters", () => {
    // 4,166,666 requests × 6,000 B = 24.99 GB < 25 GB; storage 5.83 < 6 GB-month.
    const inside = estimate([script("worker-script", 1)], {
      workerRequestsPerMonth: 4_166_666,
      sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
    });
    expect(logLines(inside.lines).map((l) => l.monthly)).toEqual([0, 0]);
    // The same 10M requests sampled at 0.5: 30 GB, (30 − 25) × $0.25 = $1.25; 7 GB-month, $0.10.
    const half = estimate([script("worker-script", 0.5)], {
      workerRequestsPerMonth: 10_000_000,
      sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
    });
    expect(logLines(half.lines).map((l) => [l.item, l.monthly])).toEqual([
      [INGESTION, 1.25],
      [STORAGE, 0.1],
    ]);
  });

  it("counts a queue consumer's messages and divides the amount between the scripts", () => {
    // (10M requests + 2M messages) × 6,000 B = 72 GB; share 1: (72 − 50) × $0.25 = $5.50,
    // $2.75 on each script. Storage 16.8 GB-month: (16.8 − 12) × $0.10 = $0.48, $0.24 each.
    const est = estimate(
      [
        script("worker-script", 1),
        script("worker-replicator", 1),
        res(T.queueConsumer, "worker-replicator-consumer", {
          scriptName: "ara-test-worker-replicator",
        }),
      ],
      { workerRequestsPerMonth: 10_000_000, reportWritesPerMonth: 2_000_000 },
    );
    const lines = logLines(est.lines);
    expect(lines.map((l) => [leaf(l.urn), l.item, l.monthly])).toEqual([
      ["worker-script", INGESTION, 2.75],
      ["worker-replicator", INGESTION, 2.75],
      ["worker-script", STORAGE, 0.24],
      ["worker-replicator", STORAGE, 0.24],
    ]);
    expect(lines[0]!.basis).toContain(
      "(10,000,000 worker requests × 1 sampled + 2,000,000 queue messages × 1 sampled) × 2 events × 3,000 bytes = 72 GB",
    );
  });

  it("uses Cloudflare's default rate of 1 when a script states none, and skips scripts with logs off", () => {
    const est = estimate(
      [
        res(T.workersScript, "default-rate", { observability: { enabled: true } }),
        res(T.workersScript, "logs-off", {
          observability: { enabled: true, logs: { enabled: false, invocationLogs: true } },
        }),
        res(T.workersScript, "no-observability"),
      ],
      { workerRequestsPerMonth: 1000 },
    );
    expect(new Set(logLines(est.lines).map((l) => leaf(l.urn)))).toEqual(new Set(["default-rate"]));
  });

  it("prices the Observability rates that apply from 2026-12-01, naming the old ones", () => {
    expect(cloudflare.workersLogsIngestion).toMatchObject({
      usd: 0.25,
      included: { quantity: 50, sharedBy: "workersPaid" },
    });
    expect(cloudflare.workersLogsStorage).toMatchObject({
      usd: 0.1,
      included: { quantity: 12, sharedBy: "workersPaid" },
    });
    expect(cloudflare.workersLogsIngestion.note).toContain("20M log events");
  });
});
