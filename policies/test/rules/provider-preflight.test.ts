import { describe, expect, it } from "vitest";
import { T } from "../../lib/types";
import {
  expectViolation,
  find,
  itPassesOnTheRealStacks,
  runPolicy,
  setConfig,
  setProps,
  type Graph,
} from "../harness/real-graph";

const POLICY = "provider-preflight";

/** Sets a nested prop of a planned resource, e.g. `rules[0].ratelimit.period`. */
function setPath(g: Graph, name: string, path: string, value: unknown): void {
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
  let node: Record<string, unknown> = find(g, name).props;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails on an R2 bucket name in upper case, naming the resource, argument, source and fix", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "storage-bucket", { name: "ARA-prod-reports" }),
    });
    expectViolation(result, {
      message: /R2Bucket 'storage-bucket' argument name: "ARA-prod-reports" does not match/,
    });
    const text = result.violations.map((v) => v.message).join("\n");
    expect(text).toContain("developers.cloudflare.com/r2/buckets");
    expect(text).toMatch(/Fix: R2 bucket names come from components\/naming\.ts/);
  });

  it("judges plan limits by the stack's zone plan: prod's 60 s period fails once the zone is Free", async () => {
    // The config alone is valid for a Free zone; the planned ruleset (60 s) is what disagrees.
    const result = await runPolicy(POLICY, {
      mutate: (g) => {
        setConfig(g, "edge", {
          cloudflarePlan: "free",
          apiRateLimit: { requestsPerPeriod: 17, periodSeconds: 10, mitigationTimeoutSeconds: 10 },
        });
        setConfig(g, "monitoring", {
          healthChecks: { enabled: false, intervalSeconds: 300, consecutiveFails: 3 },
        });
      },
    });
    expectViolation(result, {
      message:
        /Ruleset 'edge-rate-limit' argument rules\[0\]\.ratelimit\.period: 60 is not one of 10 \(free plan\)/,
    });
    expect(result.violations.map((v) => v.message).join("\n")).toMatch(
      /Healthcheck 'monitoring-check-app' argument interval: .*need a Pro zone/,
    );
  });

  it("fails on a proxied record with a fixed TTL", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "edge-app-dns", { ttl: 300 }),
    });
    expectViolation(result, {
      message: /DnsRecord 'edge-app-dns' argument ttl: proxied with ttl 300/,
    });
  });

  it("fails on a Vercel firewall duration the API cannot parse", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setPath(g, "app-firewall", "rules.rules[0].action.actionDuration", "5 minutes"),
    });
    expectViolation(result, { message: /rules\.rules\[0\]\.action\.actionDuration/ });
  });

  it("skips a value unknown during a preview and still checks the resource's other arguments", async () => {
    // The engine's wire sentinel for an unknown: the policy SDK turns it into a proxy that
    // throws when read, as in a real preview of a bucket whose name is computed.
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const result = await runPolicy(POLICY, {
      // Read as a plain string, the sentinel is not an R2 location and would be reported.
      mutate: (g) => setProps(g, "storage-bucket", { location: UNKNOWN, name: "ARA_reports" }),
    });
    expectViolation(result, { message: /R2Bucket 'storage-bucket' argument name: "ARA_reports"/ });
    const text = result.violations.map((v) => v.message).join("\n");
    expect(text).not.toMatch(/argument location/);
    expect(text).not.toMatch(/can't be known/);
  });

  it("reports a resource type the table does not know, so a new tier cannot slip in", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => {
        const like = find(g, "cache-redis");
        g.resources.push({
          ...like,
          urn: like.urn
            .replace("cache-redis", "dashboards")
            .replace(T.upstashRedis, "grafana:index/folder:Folder"),
          type: "grafana:index/folder:Folder",
          name: "dashboards",
          props: { title: "ARA" },
        });
      },
    });
    expectViolation(result, { message: /no preflight rules for grafana:index\/folder:Folder/ });
  });
});
