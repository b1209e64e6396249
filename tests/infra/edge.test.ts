import { beforeAll, describe, expect, it } from "vitest";
import type { CapturedResource, ProgramRun } from "../../offline/engine";
import { planStack } from "../harness";
import { component, DOMAINS, ofType, one, planAll, STACKS, type StackName } from "./tier";
import { T } from "../../policies/lib/types";

const SETTING = T.zoneSetting;
const DNS = T.dnsRecord;
const RULESET = T.ruleset;
const YEAR = 31_536_000;

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

function setting(run: ProgramRun, settingId: string): CapturedResource {
  const found = ofType(run, SETTING).filter((s) => s.inputs.settingId === settingId);
  expect(found, settingId).toHaveLength(1);
  return found[0]!;
}

/** Every key of a nested value, at any depth. */
function keysOf(v: unknown): string[] {
  if (!v || typeof v !== "object") return [];
  return Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)]);
}

/** What each stack's config asks of the edge (stacks/presets.ts). */
const EXPECTED: Record<
  StackName,
  {
    plan: string;
    hsts: { include_subdomains: boolean; preload: boolean };
    limit: { period: number; requestsPerPeriod: number; mitigationTimeout: number };
  }
> = {
  dev: {
    plan: "free",
    hsts: { include_subdomains: false, preload: false },
    limit: { period: 10, requestsPerPeriod: 17, mitigationTimeout: 10 },
  },
  staging: {
    plan: "pro",
    hsts: { include_subdomains: true, preload: false },
    limit: { period: 60, requestsPerPeriod: 100, mitigationTimeout: 60 },
  },
  prod: {
    plan: "pro",
    hsts: { include_subdomains: true, preload: true },
    limit: { period: 60, requestsPerPeriod: 100, mitigationTimeout: 60 },
  },
};

describe.each(STACKS)("edge in %s", (stack) => {
  const run = () => runs[stack];

  it("accepts TLS 1.2 at least, offers TLS 1.3, redirects to HTTPS, verifies the origin", () => {
    expect(setting(run(), "min_tls_version").inputs.value).toBe("1.2");
    expect(setting(run(), "tls_1_3").inputs.value).toBe("on");
    expect(setting(run(), "always_use_https").inputs.value).toBe("on");
    expect(setting(run(), "ssl").inputs.value).toBe("strict");
    expect(setting(run(), "automatic_https_rewrites").inputs.value).toBe("on");
    for (const s of ofType(run(), SETTING)) {
      expect(s.inputs.zoneId).toMatch(/^[0-9a-f]{32}$/);
      // The API's ids, never the camelCase of the .d.ts table.
      expect(s.inputs.settingId).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
    }
  });

  it("sends HSTS for at least a year, with snake_case keys", () => {
    const value = setting(run(), "security_header").inputs.value as Record<string, any>;
    expect(value).toEqual({
      strict_transport_security: {
        enabled: true,
        max_age: YEAR,
        nosniff: true,
        ...EXPECTED[stack].hsts,
      },
    });
    expect(value.strict_transport_security.max_age).toBeGreaterThanOrEqual(YEAR);
    for (const key of keysOf(value)) expect(key, key).not.toMatch(/[A-Z]/);
  });

  it("proxies the app host to Vercel and the api host for the worker route", () => {
    const app = one(run(), DNS, "edge-app-dns");
    expect(app.inputs).toMatchObject({
      name: `app.${DOMAINS[stack]}`,
      type: "CNAME",
      content: "cname.vercel-dns.com",
      proxied: true,
      ttl: 1,
    });
    const api = one(run(), DNS, "edge-api-dns");
    expect(api.inputs).toMatchObject({
      name: `api.${DOMAINS[stack]}`,
      type: "AAAA",
      content: "100::",
      proxied: true,
      ttl: 1,
    });
    // The worker route's host is exactly the proxied api record.
    const route = one(run(), T.workersRoute);
    expect(route.inputs.pattern).toBe(`${String(api.inputs.name)}/r2/*`);
  });

  it("rate-limits /api/ per client with the configured numbers", () => {
    const rulesets = ofType(run(), RULESET);
    // One entry-point ruleset per phase and zone.
    expect(rulesets).toHaveLength(1);
    const rs = rulesets[0]!;
    expect(rs.inputs).toMatchObject({ kind: "zone", phase: "http_ratelimit" });
    expect(rs.inputs.name).toBe(`ara-${stack}-rate-limit`);
    const rules = rs.inputs.rules as Array<Record<string, any>>;
    expect(rules).toHaveLength(1); // a Free zone allows one rate-limiting rule
    const rule = rules[0]!;
    expect(rule.action).toBe("block");
    // Path only: the one field a Free zone may use. The signer's paths (/r2/...) are not
    // counted: the app reaches them from Vercel's shared addresses.
    expect(rule.expression).toBe('starts_with(http.request.uri.path, "/api/")');
    expect(rule.ratelimit).toEqual({
      characteristics: ["cf.colo.id", "ip.src"],
      ...EXPECTED[stack].limit,
    });
  });

  it("answers a custom JSON 429 only where the plan allows it", () => {
    const rule = (one(run(), RULESET).inputs.rules as Array<Record<string, any>>)[0]!;
    if (EXPECTED[stack].plan === "free") {
      expect(rule.actionParameters).toBeUndefined();
      return;
    }
    const response = rule.actionParameters.response;
    expect(response.statusCode).toBe(429);
    expect(response.contentType).toBe("application/json");
    expect(JSON.parse(response.content).error).toBe("rate_limited");
  });

  it("owns every child, named after the component, none protected", () => {
    const { self, children } = component(run(), T.edgeComponent);
    expect(self.name).toBe("edge");
    expect(children).toHaveLength(9);
    for (const c of children) {
      expect(c.name.startsWith("edge-"), c.name).toBe(true);
      expect([c.name, c.protect, c.retainOnDelete]).toEqual([c.name, false, false]);
    }
    // Email's DNS records belong to the email tier; every other record is the edge's.
    for (const type of [SETTING, DNS, RULESET]) {
      for (const r of ofType(run(), type).filter((x) => !x.name.startsWith("email-")))
        expect(r.parent).toBe(self.urn);
    }
  });
});

describe("edge settings come from config", () => {
  it("applies a stricter TLS floor, HSTS and limit from the stack file", async () => {
    const run = await planStack("dev", {
      config: {
        "ara:edge": JSON.stringify({
          cloudflarePlan: "business",
          minTlsVersion: "1.3",
          hsts: { maxAgeSeconds: 63_072_000, includeSubdomains: true, preload: true },
          apiRateLimit: {
            requestsPerPeriod: 50,
            periodSeconds: 600,
            mitigationTimeoutSeconds: 600,
          },
        }),
      },
    });
    expect(setting(run, "min_tls_version").inputs.value).toBe("1.3");
    expect(
      (setting(run, "security_header").inputs.value as any).strict_transport_security,
    ).toMatchObject({ max_age: 63_072_000, include_subdomains: true, preload: true });
    const rule = (one(run, RULESET).inputs.rules as Array<Record<string, any>>)[0]!;
    expect(rule.ratelimit).toMatchObject({
      period: 600,
      requestsPerPeriod: 50,
      mitigationTimeout: 600,
    });
    expect(rule.actionParameters.response.statusCode).toBe(429);
  });
});
