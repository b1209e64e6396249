import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../scripts/plan/cli";
import { resolveStackConfig } from "../../stacks/load";
import { prodVariants } from "../harness";

/**
 * Where a provider rule belongs to stack config, the schema applies the same preflight rule, so a
 * bad Pulumi.<stack>.yaml exits 2 naming the key before any resource is registered.
 */

const { edited, variant } = prodVariants("ara-preflight-config-");

let stderr = "";
beforeEach(() => {
  stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const cases: {
  name: string;
  key: string;
  says: string;
  edit: (c: Record<string, unknown>) => void;
}[] = [
  {
    name: "an AWS region as the Vercel region",
    key: "ara:app.functionRegion",
    says: "https://vercel.com/docs/regions",
    edit: (c) => (c["ara:app"] = { functionRegion: "us-east-1" }),
  },
  {
    name: "a Vercel region in upper case",
    key: "ara:app.functionRegion",
    says: "must be one of",
    edit: (c) => (c["ara:app"] = { functionRegion: "IAD1" }),
  },
  {
    name: "an R2 location in upper case",
    key: "ara:storage.location",
    says: "enam",
    edit: (c) => (c["ara:storage"] = { location: "ENAM" }),
  },
  {
    name: "an Upstash region spelled like GCP's",
    key: "ara:cache.primaryRegion",
    says: "us-east-1",
    edit: (c) => (c["ara:cache"] = { primaryRegion: "us-east1" }),
  },
  {
    name: "an AWS region as the PlanetScale region",
    key: "ara:database.region",
    says: "planetscale.com/docs/plans/regions",
    edit: (c) => (c["ara:database"] = { region: "us-east-1" }),
  },
  {
    name: "a Vitess cluster size for Postgres",
    key: "ara:database.clusterSize",
    says: "Postgres SKU",
    edit: (c) => (c["ara:database"] = { clusterSize: "PS_10" }),
  },
  {
    name: "a Postgres major PlanetScale does not offer",
    key: "ara:database.majorVersion",
    says: "must be one of",
    edit: (c) => (c["ara:database"] = { majorVersion: "13" }),
  },
  {
    name: "an AWS region that does not exist",
    key: "ara:awsRegion",
    says: "rande.html",
    edit: (c) => (c["ara:awsRegion"] = "us-east-7"),
  },
  {
    name: "a replica region without its number",
    key: "ara:storage.replica.region",
    says: "must be one of",
    edit: (c) => (c["ara:storage"] = { replica: { region: "eu-west" } }),
  },
  {
    name: "a 60 s rate-limit period on a Free zone",
    key: "ara:edge.apiRateLimit.periodSeconds",
    says: "on a free zone",
    edit: (c) =>
      (c["ara:edge"] = {
        cloudflarePlan: "free",
        apiRateLimit: { periodSeconds: 60, mitigationTimeoutSeconds: 10 },
      }),
  },
  {
    name: "a mitigation timeout longer than Pro allows",
    key: "ara:edge.apiRateLimit.mitigationTimeoutSeconds",
    says: "on a pro zone",
    edit: (c) => (c["ara:edge"] = { apiRateLimit: { mitigationTimeoutSeconds: 86_400 } }),
  },
  {
    name: "HSTS preload without subdomains",
    key: "ara:edge.hsts.preload",
    says: "includeSubdomains",
    edit: (c) => (c["ara:edge"] = { hsts: { includeSubdomains: false, preload: true } }),
  },
  {
    name: "health checks on a Free zone",
    key: "ara:monitoring.healthChecks.enabled",
    says: "need Pro",
    edit: (c) =>
      (c["ara:edge"] = {
        cloudflarePlan: "free",
        apiRateLimit: { requestsPerPeriod: 17, periodSeconds: 10, mitigationTimeoutSeconds: 10 },
      }),
  },
  {
    name: "a health-check interval below Pro's minimum",
    key: "ara:monitoring.healthChecks.intervalSeconds",
    says: "at least 60",
    edit: (c) => (c["ara:monitoring"] = { healthChecks: { intervalSeconds: 30 } }),
  },
  {
    name: "a domain in upper case",
    key: "ara:domain",
    says: "lowercase DNS name",
    edit: (c) => (c["ara:domain"] = "ARA.example"),
  },
  {
    name: "a PlanetScale organization with capitals",
    key: "ara:planetscaleOrganization",
    says: "URL slug",
    edit: (c) => (c["ara:planetscaleOrganization"] = "Placeholder-Org"),
  },
];

describe("a stack file the providers would refuse", () => {
  it.each(cases)("$name: exits 2 naming $key", async ({ name, key, says, edit }) => {
    const file = variant(name.replace(/\W+/g, "-"), edit);
    expect(await main(["--stack", "prod", "--config-file", file])).toBe(2);
    expect(stderr).toContain(key);
    expect(stderr).toContain(says);
  });
});

describe("the same rules let valid plan-dependent values through", () => {
  const raw = (edit: (c: Record<string, unknown>) => void) => {
    const c = edited(edit);
    return Object.fromEntries(
      Object.entries(c).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
  };

  it("a Business zone may count over 10 minutes and check every 15 s", () => {
    const config = resolveStackConfig(
      raw((c) => {
        c["ara:edge"] = {
          cloudflarePlan: "business",
          apiRateLimit: { periodSeconds: 600, mitigationTimeoutSeconds: 86_400 },
        };
        c["ara:monitoring"] = { healthChecks: { intervalSeconds: 15 } };
      }),
      { stack: "prod", offline: true },
    );
    expect(config.edge.apiRateLimit.periodSeconds).toBe(600);
    expect(config.monitoring.healthChecks.intervalSeconds).toBe(15);
  });

  it("any Vercel, PlanetScale and AWS region from the providers' lists is accepted", () => {
    const config = resolveStackConfig(
      raw((c) => {
        c["ara:app"] = { functionRegion: "fra1" };
        c["ara:database"] = { region: "eu-central" };
        c["ara:awsRegion"] = "eu-central-1";
      }),
      { stack: "prod", offline: true },
    );
    expect([config.app.functionRegion, config.database.region, config.accounts.awsRegion]).toEqual([
      "fra1",
      "eu-central",
      "eu-central-1",
    ]);
  });
});
