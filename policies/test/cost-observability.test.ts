import { describe, expect, it } from "vitest";
import { T } from "../lib/types";
import { costResource as res, estimate } from "./harness/cost";

/** Figures computed by hand from policies/cost/catalog.ts (grafanaCloud, sentry, cloudflare). */
const check = (name: string, probes: number, frequencyMs: number) =>
  res(T.grafanaCheck, name, {
    probes: Array.from({ length: probes }, (_, i) => i),
    frequency: frequencyMs,
  });

describe("the observability tier's cost", () => {
  const token = res(T.grafanaAccessPolicyToken, "telemetry-token");

  it("is $0 inside the stack's share of Grafana Cloud's Free tier, and says so", () => {
    const est = estimate([token, check("app", 3, 300_000), check("signer", 3, 300_000)], {
      metricsActiveSeries: 3000,
      logsGbPerMonth: 15,
      tracesGbPerMonth: 10,
      sharedCostShare: { vercelPro: 0, workersPaid: 0, grafanaCloud: 0.6 },
    });
    expect(est.monthlyTotal).toBe(0);
    const runs = est.lines.find((l) => l.item === "synthetic check runs")!;
    // 2 checks × 3 probes × 43,200 / 5 min = 51,840 runs, under 100,000 × 0.6.
    expect(runs.basis).toContain("(3 probes × 43,200 / 5 min + 3 probes × 43,200 / 5 min)");
    expect(runs.basis).toContain("100,000 free × 0.6 share");
    expect(est.lines.some((l) => l.item.startsWith("Pro platform fee"))).toBe(false);
    expect(est.counts).toEqual({ priced: 3, free: 0, unpriced: 0 });
  });

  it("adds Pro rates and the stack's share of the Pro fee once usage outgrows Free", () => {
    // 1-minute checks: 2 × 3 × 43,200 = 259,200 runs; (259,200 − 50,000) / 10,000 × $5 = $104.60.
    // Logs: (40 − 25) GB × $0.50 = $7.50. Fee: $19 × 0.5 = $9.50.
    const est = estimate([token, check("app", 3, 60_000), check("signer", 3, 60_000)], {
      logsGbPerMonth: 40,
      sharedCostShare: { vercelPro: 0, workersPaid: 0, grafanaCloud: 0.5 },
    });
    const by = (item: string) =>
      est.lines.filter((l) => l.item === item).reduce((s, l) => s + l.monthly, 0);
    expect(by("synthetic check runs")).toBeCloseTo(104.6, 2);
    expect(by("logs")).toBe(7.5);
    expect(by("Pro platform fee (shared; usage above the Free tier)")).toBe(9.5);
    expect(est.monthlyTotal).toBeCloseTo(121.6, 2);
  });

  it("credits no Free allowance to a stack that states no Grafana share", () => {
    const est = estimate([token], { metricsActiveSeries: 1000 });
    expect(est.lines.find((l) => l.item === "metrics (active series)")!.monthly).toBe(6.5);
  });

  it("prices Sentry's Developer plan at $0 and its team and key as free", () => {
    const est = estimate([
      res(T.sentryProject, "errors-project"),
      res(T.sentryTeam, "errors-team"),
      res(T.sentryKey, "errors-key"),
    ]);
    expect(est.lines.map((l) => [l.service, l.item, l.monthly])).toEqual([
      ["Sentry", "Developer plan", 0],
    ]);
    expect(est.counts).toEqual({ priced: 1, free: 2, unpriced: 0 });
  });

  it("prices the log archive's storage and Logpush apart from the reports bucket", () => {
    const est = estimate(
      [
        res(T.r2Bucket, "storage-bucket", { name: "ara-prod-reports" }),
        res(T.r2Bucket, "logs-bucket", { name: "ara-prod-logs" }),
        res(T.logpushJob, "logs-workers"),
      ],
      {
        reportStorageGb: 50,
        logArchiveGb: 24,
        workerRequestsPerMonth: 12_000_000,
        sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
      },
    );
    const line = (item: string) => est.lines.find((l) => l.item === item)!;
    // Reports: (50 − 10 × 0.5) GB × $0.015 = $0.675, all on the reports bucket.
    expect(line("storage").urn).toContain("storage-bucket");
    expect(line("storage").monthly).toBe(0.68);
    // Archive: 24 GB × $0.015 = $0.36, no free tier (the reports bucket used it).
    expect(line("log archive storage").monthly).toBe(0.36);
    // Logpush: (12M − 10M × 0.5) / 1M × $0.05 = $0.35.
    expect(line("Workers trace events").monthly).toBe(0.35);
  });

  it("prices the app's log batches: archive storage, signer requests and CPU, R2 writes, Logpush", () => {
    const resources = [
      res(T.r2Bucket, "storage-bucket", { name: "ara-prod-reports" }),
      res(T.r2Bucket, "logs-bucket", { name: "ara-prod-logs" }),
      res(T.logpushJob, "logs-workers"),
      res(T.workersScript, "worker-script"),
    ];
    const usage = {
      reportStorageGb: 50,
      reportWritesPerMonth: 600_000,
      workerRequestsPerMonth: 12_000_000,
      workerCpuMsPerRequest: 1,
      appLogArchiveGb: 18,
      appLogBatchesPerMonth: 1_000_000,
      sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
    };
    const est = estimate(resources, usage);
    const line = (item: string) => est.lines.filter((l) => l.item === item);
    const total = (item: string) => line(item).reduce((s, l) => s + l.monthly, 0);
    // Storage: 18 GB × $0.015 = $0.27, on the archive bucket, no free tier.
    expect(
      line("app log archive storage").map((l) => [l.urn.split("::").pop(), l.monthly]),
    ).toEqual([["logs-bucket", 0.27]]);
    // Class A: (600,000 report uploads + 1M batches − 1M × 0.5) / 1M × $4.50 = $4.95, divided
    // between the two buckets that are written: 2 × $2.475, each line rounded to $2.48.
    expect(line("Class A operations").map((l) => l.monthly)).toEqual([2.48, 2.48]);
    expect(line("Class A operations")[0]!.basis).toContain(
      "600,000 report uploads + 1,000,000 app log batches",
    );
    // Requests: (12M + 1M − 10M × 0.5) / 1M × $0.30 = $2.40.
    expect(total("requests")).toBeCloseTo(2.4, 2);
    // CPU: (12M × 1 ms + 1M × 6 ms − 30M × 0.5) / 1M × $0.02 = $0.06.
    expect(total("CPU time")).toBeCloseTo(0.06, 2);
    expect(line("CPU time")[0]!.basis).toContain(
      "12,000,000 requests × 1 ms + 1,000,000 app log batches × 6 ms",
    );
    // Logpush: (12M + 1M − 10M × 0.5) / 1M × $0.05 = $0.40.
    expect(total("Workers trace events")).toBeCloseTo(0.4, 2);

    // Without the archive the batches do not exist: nothing of them is priced.
    const without = estimate(
      resources.filter(
        (r) => r.urn.split("::").pop() === "storage-bucket" || r.type === T.workersScript,
      ),
      usage,
    );
    expect(without.lines.some((l) => l.item === "app log archive storage")).toBe(false);
    expect(without.lines.find((l) => l.item === "Class A operations")!.basis).not.toContain(
      "app log",
    );
    expect(without.lines.find((l) => l.item === "requests")!.basis).not.toContain("app log");
  });

  it("prices an archive without a Logpush job (dev's) for the app's batches only: no Logpush line", () => {
    const est = estimate(
      [
        res(T.r2Bucket, "storage-bucket", { name: "ara-dev-reports" }),
        res(T.r2Bucket, "logs-bucket", { name: "ara-dev-logs" }),
        res(T.workersScript, "worker-script"),
      ],
      {
        reportWritesPerMonth: 600_000,
        workerRequestsPerMonth: 12_000_000,
        workerCpuMsPerRequest: 1,
        // A stack file may still state the workers' figure: without a job nothing stores it.
        logArchiveGb: 24,
        appLogArchiveGb: 18,
        appLogBatchesPerMonth: 1_000_000,
        sharedCostShare: { vercelPro: 0, workersPaid: 0.5 },
      },
    );
    const line = (item: string) => est.lines.filter((l) => l.item === item);
    expect(est.lines.some((l) => l.service === "Cloudflare Logpush")).toBe(false);
    expect(line("log archive storage")).toEqual([]);
    // Storage: 18 GB × $0.015 = $0.27, on the archive bucket.
    expect(
      line("app log archive storage").map((l) => [l.urn.split("::").pop(), l.monthly]),
    ).toEqual([["logs-bucket", 0.27]]);
    // The batches are still signer requests and R2 writes: the same figures as with the job.
    expect(line("Class A operations").map((l) => l.monthly)).toEqual([2.48, 2.48]);
    expect(line("requests").reduce((s, l) => s + l.monthly, 0)).toBeCloseTo(2.4, 2);
  });
});
