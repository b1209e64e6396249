import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../offline/engine";
import {
  TABLE,
  arn,
  checkResource,
  checkResources,
  cidr,
  duration,
  hostname,
  ipv4,
  ipv6,
  isoDate,
  jsonPolicy,
  length,
  maxBytes,
  oneOf,
  pattern,
  range,
  valuesAt,
  type RuleContext,
} from "../../preflight";
import {
  ratelimitMitigationTimeout,
  ratelimitPeriod,
  healthcheckInterval,
} from "../../preflight/rules/cloudflare";
import type { StackConfig } from "../../stacks/schema";

const meta = { source: "https://example.invalid/doc", fix: "fix it" };
const today = "2026-06-15";
const ctx: RuleContext = { today };
const onPlan = (plan: StackConfig["edge"]["cloudflarePlan"]): RuleContext => ({
  today,
  config: { edge: { cloudflarePlan: plan } } as RuleContext["config"],
});
const ok = (
  r: { test: (v: unknown, c: RuleContext, i: Record<string, unknown>) => string | undefined },
  v: unknown,
  c = ctx,
) => r.test(v, c, {}) === undefined;

describe("rule builders", () => {
  it("pattern matches the whole string", () => {
    const r = pattern(/^[a-z]{3}$/, "three letters", meta);
    expect(ok(r, "abc")).toBe(true);
    expect(ok(r, "abcd")).toBe(false);
    expect(ok(r, 3)).toBe(false);
  });

  it("length counts characters at both ends of the range", () => {
    const r = length(3, 5, meta);
    expect([ok(r, "abc"), ok(r, "abcde")]).toEqual([true, true]);
    expect([ok(r, "ab"), ok(r, "abcdef")]).toEqual([false, false]);
  });

  it("maxBytes counts UTF-8 bytes, not characters, and never quotes the value", () => {
    const r = maxBytes(4, "at most 4 bytes", meta);
    expect([ok(r, "abcd"), ok(r, "ééé"), ok(r, 4)]).toEqual([true, false, false]);
    expect(r.test("secret", ctx, {})).toBe("is 6 bytes");
  });

  it("oneOf is case-sensitive and names the spelling the API expects", () => {
    const r = oneOf(["enam", "weur"], meta);
    expect(ok(r, "weur")).toBe(true);
    expect(r.test("ENAM", ctx, {})).toMatch(/spells it "enam"/);
    expect(ok(r, "mars")).toBe(false);
  });

  it("range refuses fractions unless asked and checks both bounds", () => {
    const r = range(1, 10, meta);
    expect([ok(r, 1), ok(r, 10)]).toEqual([true, true]);
    expect([ok(r, 0), ok(r, 11), ok(r, 2.5), ok(r, "5")]).toEqual([false, false, false, false]);
    expect(ok(range(0, 1, meta, { integer: false }), 0.5)).toBe(true);
  });

  it("isoDate refuses impossible dates and, when asked, dates after today", () => {
    const r = isoDate(meta, { notAfterToday: true });
    expect(ok(r, today)).toBe(true);
    expect(ok(r, "2026-06-16")).toBe(false);
    expect(ok(r, "2026-02-29")).toBe(false);
    expect(ok(r, "2026/01/01")).toBe(false);
    expect(ok(isoDate(meta), "2999-01-01")).toBe(true);
  });

  it("hostname, ipv4, ipv6 and cidr follow their RFC shapes", () => {
    expect([ok(hostname(meta), "app.ara.example"), ok(hostname(meta), "App.ara.example")]).toEqual([
      true,
      false,
    ]);
    expect([ok(hostname(meta), "localhost"), ok(hostname(meta), "a-.example")]).toEqual([
      false,
      false,
    ]);
    expect([
      ok(ipv4(meta), "192.0.2.1"),
      ok(ipv4(meta), "256.0.0.1"),
      ok(ipv4(meta), "01.2.3.4"),
    ]).toEqual([true, false, false]);
    expect([
      ok(ipv6(meta), "100::"),
      ok(ipv6(meta), "2001:db8::1"),
      ok(ipv6(meta), "::ffff:192.0.2.1"),
    ]).toEqual([true, true, true]);
    expect([
      ok(ipv6(meta), "1::2::3"),
      ok(ipv6(meta), "192.0.2.1"),
      ok(ipv6(meta), "12345::"),
    ]).toEqual([false, false, false]);
    expect([
      ok(cidr(meta), "10.0.0.0/8"),
      ok(cidr(meta), "2001:db8::/129"),
      ok(cidr(meta), "10.0.0.0"),
    ]).toEqual([true, false, false]);
  });

  it("arn checks the service", () => {
    const r = arn("sns", meta);
    expect(ok(r, "arn:aws:sns:us-east-1:123456789012:alerts")).toBe(true);
    expect(ok(r, "arn:aws:sqs:us-east-1:123456789012:alerts")).toBe(false);
    expect(ok(r, "alerts")).toBe(false);
  });

  it("jsonPolicy needs JSON, Version 2012-10-17 and well-formed statements", () => {
    const r = jsonPolicy(meta);
    const good = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    };
    expect(ok(r, JSON.stringify(good))).toBe(true);
    expect(ok(r, JSON.stringify({ ...good, Version: "2008-10-17" }))).toBe(false);
    expect(ok(r, JSON.stringify({ ...good, Statement: [{ Effect: "allow", Action: "x" }] }))).toBe(
      false,
    );
    expect(ok(r, JSON.stringify({ ...good, Statement: [{ Effect: "Allow" }] }))).toBe(false);
    expect(ok(r, "{not json")).toBe(false);
  });

  it("duration parses <n><unit> within bounds", () => {
    const r = duration({ s: 1, m: 60, h: 3600 }, 1, 3600, meta, "a duration");
    expect([ok(r, "5m"), ok(r, "1h")]).toEqual([true, true]);
    expect([ok(r, "2h"), ok(r, "5 minutes"), ok(r, "0s"), ok(r, 300)]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("plan-dependent limits read the zone's plan from stack config", () => {
  it("rate-limit periods: Free 10 s only; Pro adds 60; Enterprise up to an hour", () => {
    expect([
      ok(ratelimitPeriod, 10, onPlan("free")),
      ok(ratelimitPeriod, 60, onPlan("free")),
    ]).toEqual([true, false]);
    expect([
      ok(ratelimitPeriod, 60, onPlan("pro")),
      ok(ratelimitPeriod, 600, onPlan("pro")),
    ]).toEqual([true, false]);
    expect([
      ok(ratelimitPeriod, 600, onPlan("business")),
      ok(ratelimitPeriod, 3600, onPlan("enterprise")),
    ]).toEqual([true, true]);
    // Without config the strictest reading (Free) applies: a rule never assumes a paid plan.
    expect(ok(ratelimitPeriod, 60, ctx)).toBe(false);
  });

  it("mitigation timeouts: Free 10 s; Pro up to 3600; Business up to a day", () => {
    expect([
      ok(ratelimitMitigationTimeout, 10, onPlan("free")),
      ok(ratelimitMitigationTimeout, 60, onPlan("free")),
    ]).toEqual([true, false]);
    expect([
      ok(ratelimitMitigationTimeout, 3600, onPlan("pro")),
      ok(ratelimitMitigationTimeout, 86400, onPlan("pro")),
    ]).toEqual([true, false]);
    expect(ok(ratelimitMitigationTimeout, 86400, onPlan("business"))).toBe(true);
  });

  it("health checks need Pro; the minimum interval falls with the plan", () => {
    expect(ok(healthcheckInterval, 60, onPlan("free"))).toBe(false);
    expect([
      ok(healthcheckInterval, 60, onPlan("pro")),
      ok(healthcheckInterval, 15, onPlan("pro")),
    ]).toEqual([true, false]);
    expect([
      ok(healthcheckInterval, 15, onPlan("business")),
      ok(healthcheckInterval, 3601, onPlan("enterprise")),
    ]).toEqual([true, false]);
  });

  it("DNS names: lowercase hostnames, a wildcard only as the first label", () => {
    const name = TABLE["cloudflare:index/dnsRecord:DnsRecord"]!.args.name![0]!;
    expect([ok(name, "api.ara.example"), ok(name, "*.ara.example")]).toEqual([true, true]);
    expect([ok(name, "API.ara.example"), ok(name, "api.*.example"), ok(name, "ara")]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("DNS TTL: 1 or 60..86400, and 30 only on Enterprise", () => {
    const ttl = TABLE["cloudflare:index/dnsRecord:DnsRecord"]!.args.ttl![0]!;
    expect([
      ok(ttl, 1, onPlan("pro")),
      ok(ttl, 60, onPlan("pro")),
      ok(ttl, 86400, onPlan("pro")),
    ]).toEqual([true, true, true]);
    expect([
      ok(ttl, 30, onPlan("pro")),
      ok(ttl, 30, onPlan("enterprise")),
      ok(ttl, 86401, onPlan("enterprise")),
    ]).toEqual([false, true, false]);
  });
});

describe("the table", () => {
  const entries = Object.entries(TABLE);

  it("every rule names a source a reader can open and a fix", () => {
    for (const [type, e] of entries) {
      const rules = [...Object.values(e.args).flat(), ...(e.relations ?? [])];
      for (const r of rules) {
        expect(r.source, `${type}: ${r.rule}`).toMatch(
          /^(https:\/\/|node_modules\/|providers\/|tests\/fixtures\/|components\/)/,
        );
        expect(r.fix.length, `${type}: ${r.rule}`).toBeGreaterThan(5);
        const file = r.source.split(/[ ;]/)[0]!;
        if (!file.startsWith("https://"))
          expect(fs.existsSync(path.join(ROOT, file)), `${type}: ${file}`).toBe(true);
      }
      if (rules.length === 0)
        expect(e.note, `${type} has no rules and no note saying why`).toBeTruthy();
    }
  });

  it("every argument rule refuses a value of the wrong kind", () => {
    // An object where a scalar or list belongs is what a mis-nested input looks like.
    for (const [type, e] of entries) {
      for (const [arg, rules] of Object.entries(e.args)) {
        for (const r of rules)
          expect(r.test({ wrong: true }, onPlan("enterprise"), {}), `${type} ${arg}`).toBeDefined();
      }
    }
  });
});

describe("the checker", () => {
  it("walks array paths and names the element", () => {
    const got = valuesAt({ rules: [{ a: 1 }, { a: 2 }, {}] }, "rules[].a");
    expect(got.found).toEqual([
      { path: "rules[0].a", value: 1 },
      { path: "rules[1].a", value: 2 },
    ]);
  });

  it("reports a type with no table entry", () => {
    const { violations } = checkResource(
      { type: "grafana:index/folder:Folder", name: "f", inputs: {} },
      ctx,
    );
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ resource: "f", arg: "(type)" });
    expect(violations[0]!.fix).toMatch(/preflight\/rules/);
  });

  it("skips unknown values per argument, so one unknown does not hide the others", () => {
    // The policy SDK's proxy throws on reading an unknown during a preview; mimic its error's shape.
    const unknownError = Object.assign(
      new Error("value at .queueId can't be known during preview"),
      {
        unknownTypeSentinel: "1",
        props: ["queueId"],
      },
    );
    const inputs = new Proxy(
      { accountId: "0".repeat(32), queueName: "Bad Name", queueId: "x" },
      {
        get(t, k) {
          if (k === "queueName") throw unknownError;
          return (t as Record<string | symbol, unknown>)[k];
        },
      },
    );
    const unknownName = checkResource(
      { type: "cloudflare:index/queue:Queue", name: "q", inputs },
      ctx,
    );
    expect(unknownName.violations).toEqual([]);
    expect(unknownName.unknown).toBe(1);
    expect(unknownName.checked).toBe(1);

    const badAccount = new Proxy(
      { accountId: "NOT-HEX", queueName: "x" },
      {
        get(t, k) {
          if (k === "queueName") throw unknownError;
          return (t as Record<string | symbol, unknown>)[k];
        },
      },
    );
    const res = checkResource(
      { type: "cloudflare:index/queue:Queue", name: "q", inputs: badAccount },
      ctx,
    );
    expect(res.violations.map((v) => v.arg)).toEqual(["accountId"]);
  });

  it("skips the engine's unknown sentinel and undefined values", () => {
    const res = checkResource(
      {
        type: "cloudflare:index/r2Bucket:R2Bucket",
        name: "b",
        inputs: { accountId: undefined, name: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
      },
      ctx,
    );
    expect(res.violations).toEqual([]);
    expect(res.checked).toBe(0);
  });

  it("does not swallow errors that are not unknowns", () => {
    const inputs = new Proxy(
      {},
      {
        get: () => {
          throw new TypeError("boom");
        },
      },
    );
    expect(() =>
      checkResource({ type: "cloudflare:index/queue:Queue", name: "q", inputs }, ctx),
    ).toThrow("boom");
  });

  it("totals resources, types and rules", () => {
    const sum = checkResources(
      [
        { type: "random:index/randomBytes:RandomBytes", name: "a", inputs: { length: 32 } },
        { type: "random:index/randomBytes:RandomBytes", name: "b", inputs: { length: 0 } },
      ],
      ctx,
    );
    expect(sum).toMatchObject({ resources: 2, types: 1, checked: 2, rules: 1 });
    expect(sum.violations.map((v) => v.resource)).toEqual(["b"]);
  });
});
