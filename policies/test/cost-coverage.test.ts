import { describe, expect, it } from "vitest";
import type { Metered } from "../cost/catalog";
import { TYPE_COVERAGE, typeCoverage } from "../cost/coverage";
import { metered } from "../cost/metered";
import { T } from "../lib/types";
import { costResource as res, estimate } from "./harness/cost";

const source = { source: "example.com/pricing", date: "2026-01-01" };
const perMillion: Metered = {
  usd: 0.3,
  per: "1M requests",
  rateFor: { size: 1_000_000, label: "1M" },
  usageUnit: "",
  included: { quantity: 10_000_000, unit: "requests", word: "included", ...source },
  ...source,
};
const perGb: Metered = {
  usd: 0.125,
  per: "GB-month",
  rateFor: { size: 1, label: "GB-month" },
  usageUnit: "GB",
  ...source,
};

describe("metered()", () => {
  it("charges usage above the allowance times the share, and writes the formula", () => {
    // (25M − 10M × 0.5) / 1M × $0.30 = $6
    expect(metered(perMillion, 25_000_000, 0.5)).toEqual({
      monthly: 6,
      basis: "max(0, 25,000,000 − 10,000,000 included × 0.5 share) × $0.30/1M",
    });
  });

  it("never goes below zero, and says nothing of shares for a resource's own allowance", () => {
    expect(metered(perMillion, 4_000_000)).toEqual({
      monthly: 0,
      basis: "max(0, 4,000,000 − 10,000,000 included) × $0.30/1M",
    });
  });

  it("charges from the first unit without an allowance, writing the usage unit after the text", () => {
    expect(metered(perGb, 20)).toEqual({ monthly: 2.5, basis: "20 GB × $0.125/GB-month" });
    expect(metered(perGb, { value: 10, text: "20 / 2 resources" }).basis).toBe(
      "20 / 2 resources GB × $0.125/GB-month",
    );
  });
});

describe("resource coverage", () => {
  it("counts every resource as priced, free or unpriced, with the reason for the latter two", () => {
    const est = estimate([
      res(T.vercelProject, "app"),
      res(T.vercelEnvVar, "env"),
      res("pulumi:pulumi:Stack", "ara-prod"),
      res("pulumi:providers:aws", "aws"),
      res("ara:edge:Edge", "edge"),
      res("random:index/randomBytes:RandomBytes", "key"),
      res("aws:rds/instance:Instance", "rds"),
    ]);
    expect(est.counts).toEqual({ priced: 1, free: 5, unpriced: 1 });
    expect(est.coverage.map((c) => c.status)).toEqual([
      "priced",
      "free",
      "free",
      "free",
      "free",
      "free",
      "unpriced",
    ]);
    for (const c of est.coverage.filter((x) => x.status !== "priced"))
      expect(c.reason, c.type).toMatch(/\w/);
    expect(est.coverage[1]!.reason).toContain("project's usage is priced");
  });

  it("reports a type it has no entry for as unpriced, whatever its provider", () => {
    // The tiers about to be added: none of these may pass as $0 before they are priced.
    const types = [
      "grafana:index/folder:Folder",
      "pagerduty:index/ruleset:Ruleset",
      "sentry:index/sentryIssueAlert:SentryIssueAlert",
      "aws:ses/domainIdentity:DomainIdentity",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "pulumi-nodejs:dynamic/other:Thing",
    ];
    const est = estimate(types.map((t, i) => res(t, `r${i}`)));
    expect(est.counts).toEqual({ priced: 0, free: 0, unpriced: types.length });
    expect(est.unpriced.map((u) => u.type)).toEqual(types);
    for (const u of est.unpriced) expect(u.reason).toMatch(/^no entry in the cost catalog/);
    expect(est.monthlyTotal).toBe(0);
  });

  it("counts a resource a vendor could not price as unpriced, once, with the vendor's reason", () => {
    const db = res("pulumi-nodejs:dynamic/planetscale:Database", "db", {
      clusterSize: "PS_40_GCP_ARM",
    });
    const est = estimate([db]);
    expect(est.counts).toEqual({ priced: 0, free: 0, unpriced: 1 });
    expect(est.unpriced).toHaveLength(1);
    expect(est.coverage[0]!.reason).toBe(est.unpriced[0]!.reason);
  });

  it("uses a vendor's per-resource reason: the database's own branch is in the cluster price", () => {
    const est = estimate([
      res("pulumi-nodejs:dynamic/planetscale:Branch", "main", { name: "main" }),
    ]);
    expect(est.coverage[0]).toMatchObject({
      status: "free",
      reason: expect.stringMatching(/own branch/),
    });
  });

  it("counts the resource carrying the zone plan as priced, and as unpriced under Enterprise", () => {
    const zone = [res(T.zoneSetting, "tls"), res(T.dnsRecord, "a")];
    expect(estimate(zone, {}, "pro").coverage.map((c) => c.status)).toEqual(["priced", "free"]);
    expect(estimate(zone, {}, "pro").coverage[1]!.reason).toBe("included in the zone plan");
    const ent = estimate(zone, {}, "enterprise");
    expect(ent.counts).toEqual({ priced: 0, free: 1, unpriced: 1 });
    expect(ent.unpriced).toHaveLength(1);
  });

  it("has an entry for every type the policies know", () => {
    for (const t of Object.values(T)) expect(typeCoverage(t), t).toBeDefined();
  });

  it("prices every type it lists as priced", () => {
    const props: Record<string, Record<string, unknown>> = {
      [T.canary]: { schedule: { expression: "rate(5 minutes)" } },
    };
    const pricedTypes = Object.entries(TYPE_COVERAGE)
      .filter(([, c]) => c.status === "priced")
      .map(([t]) => t);
    expect(pricedTypes.length).toBeGreaterThan(5);
    for (const t of pricedTypes) {
      const est = estimate([res(t, "x", props[t] ?? {})]);
      expect(est.coverage[0]!.status, t).toBe("priced");
    }
    for (const kind of ["Database", "Branch"]) {
      const t = `pulumi-nodejs:dynamic/planetscale:${kind}`;
      const est = estimate([res(t, "x", { clusterSize: "PS_10_AWS_ARM" })]);
      expect(est.coverage[0]!.status, t).toBe("priced");
    }
  });
});
