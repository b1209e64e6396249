import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateStack, type StackEvaluation } from "../evaluate";
import { T } from "../lib/types";
import { createPolicies } from "../pack";
import { buildGraph, find, type Graph } from "./fixtures/graph";

/**
 * Every policy through the policy SDK's real analyzer functions (in-process), on a graph that
 * follows the components' resource contract: the committed stack configs pass, and each
 * mutation below fails naming the expected policy.
 */

const PACK_DIR = path.resolve(__dirname, "..");
const policies = createPolicies(() => ({ stack: "test" }));

async function evaluate(
  stack: string,
  edit?: (g: Graph) => void,
  policyConfig?: unknown,
): Promise<StackEvaluation> {
  const g = buildGraph(stack);
  edit?.(g);
  return evaluateStack({
    stack,
    config: g.config,
    resources: g.resources,
    ...(policyConfig ? { policyConfig } : {}),
  });
}

function named(e: StackEvaluation, policy: string) {
  return e.policies.violations.filter((v) => v.policy === policy);
}

const setProps = (g: Graph, name: string, props: Record<string, unknown>) => {
  Object.assign(find(g, name).props, props);
};
const drop = (g: Graph, name: string) => {
  g.resources.splice(g.resources.indexOf(find(g, name)), 1);
};
/**
 * Gives the fixture's event consumer a dead-letter queue, as components/worker does in prod;
 * with `consumed`, also the consumer that reads it.
 */
const withDeadLetters = (g: Graph, consumed: boolean) => {
  const consumer = find(g, "report-events-consumer");
  const dlq = { ...find(g, "report-events"), name: "report-events-dlq" };
  dlq.urn = dlq.urn.replace(/report-events$/, "report-events-dlq");
  dlq.props = { ...dlq.props, queueName: `${dlq.props.queueName}-dlq` };
  g.resources.push(dlq);
  consumer.props.deadLetterQueue = dlq.props.queueName;
  consumer.dependsOn = [...(consumer.dependsOn ?? []), dlq.urn];
  if (consumed) {
    const { deadLetterQueue: _sends, ...reads } = consumer.props;
    g.resources.push({
      ...consumer,
      name: "report-events-dlq-consumer",
      urn: consumer.urn.replace(/report-events-consumer$/, "report-events-dlq-consumer"),
      props: { ...reads, queueId: "dlq-id" },
      dependsOn: [
        dlq.urn,
        ...(consumer.dependsOn ?? []).filter((u) => !u.includes("report-events")),
      ],
    });
  }
};
const setConfig = (g: Graph, key: string, value: object) => {
  const current = g.config[`ara:${key}`];
  g.config[`ara:${key}`] = JSON.stringify({ ...(current ? JSON.parse(current) : {}), ...value });
};

describe("committed stacks (contract graph)", () => {
  it.each(["dev", "staging", "prod"])(
    "%s passes every mandatory policy with its committed config",
    async (stack) => {
      const e = await evaluate(stack);
      expect(e.policies.violations.filter((v) => v.level === "mandatory")).toEqual([]);
      expect(e.policies.config).toBe(`policies/config/${stack}.json`);
      expect(e.cost.unpriced).toEqual([]);
    },
  );

  it("prod runs every policy (none disabled); at most the 80% budget warning is raised", async () => {
    const e = await evaluate("prod");
    for (const p of policies) expect(e.policies.levels[p.name], p.name).not.toBe("disabled");
    const warn = e.cost.monthlyTotal >= (e.cost.budget * e.cost.warnAtPercent) / 100;
    expect(e.policies.violations.map((v) => `${v.level} ${v.policy}`)).toEqual(
      warn ? ["advisory stack-monthly-budget"] : [],
    );
    expect(e.cost.monthlyTotal).toBeLessThanOrEqual(e.cost.budget);
  });
});

interface Case {
  policy: string;
  why: string;
  stack?: string;
  edit: (g: Graph) => void;
  level?: "mandatory" | "advisory" | "remediate";
  message?: RegExp;
}

const hsts = (g: Graph, sts: Record<string, unknown>) =>
  setProps(g, "zone-security-header", {
    value: {
      strict_transport_security: {
        enabled: true,
        max_age: 31536000,
        include_subdomains: true,
        ...sts,
      },
    },
  });
const firewallRule = (g: Graph) =>
  (
    find(g, "app-firewall").props.rules as {
      rules: { action: { action: string; rateLimit: { limit: number } } }[];
    }
  ).rules[0]!;
const bindings = (g: Graph) =>
  find(g, "signer").props.bindings as { type: string; name: string; text?: string }[];

const CASES: Case[] = [
  {
    policy: "stack-monthly-budget",
    why: "a tiny budget",
    edit: (g) => setConfig(g, "budget", { monthlyUsd: 100 }),
    message: /Over budget by \$[\d,]+\.\d\d\. Estimated/,
  },
  {
    policy: "stack-monthly-budget",
    why: "an unpriced billable resource",
    edit: (g) =>
      g.resources.push({
        urn: "urn:x::rds",
        type: "aws:rds/instance:Instance",
        name: "rds",
        props: {},
      }),
    message: /not priced/,
  },
  {
    policy: "stack-daily-spend",
    why: "20 more seats",
    edit: (g) => setConfig(g, "usage", { vercelSeats: 20 }),
    message: /\/day/,
  },
  {
    policy: "upstash-tls-enabled",
    why: "tls off",
    edit: (g) => setProps(g, "cache", { tls: false }),
  },
  {
    policy: "zone-min-tls-version",
    why: "TLS 1.0 allowed",
    edit: (g) => setProps(g, "zone-min-tls-version", { value: "1.0" }),
  },
  {
    policy: "zone-min-tls-version",
    why: "the stack asks for 1.3 and the zone says 1.2",
    edit: (g) => {
      setConfig(g, "edge", { minTlsVersion: "1.3" });
      setProps(g, "zone-min-tls-version", { value: "1.2" });
    },
    message: /required minimum is "1\.3"/,
  },
  {
    policy: "zone-tls-1-3-enabled",
    why: "TLS 1.3 off",
    edit: (g) => setProps(g, "zone-tls-1-3", { value: "off" }),
  },
  {
    policy: "zone-tls-1-3-enabled",
    why: "0-RTT",
    edit: (g) => setProps(g, "zone-tls-1-3", { value: "zrt" }),
  },
  {
    policy: "zone-always-use-https",
    why: "no redirect",
    edit: (g) => setProps(g, "zone-always-use-https", { value: "off" }),
  },
  {
    policy: "zone-ssl-strict",
    why: "full without validation",
    edit: (g) => setProps(g, "zone-ssl", { value: "full" }),
  },
  {
    policy: "zone-hsts",
    why: "one day",
    edit: (g) => hsts(g, { max_age: 86400 }),
    message: /at least 31536000/,
  },
  {
    policy: "zone-hsts",
    why: "no includeSubdomains in prod",
    edit: (g) => hsts(g, { include_subdomains: false }),
  },
  {
    policy: "zone-hsts",
    why: "camelCase keys",
    edit: (g) =>
      setProps(g, "zone-security-header", {
        value: { strictTransportSecurity: { enabled: true, maxAge: 31536000 } },
      }),
    message: /camelCase/,
  },
  {
    policy: "zone-tls-settings-present",
    why: "tls_1_3 undeclared",
    edit: (g) => drop(g, "zone-tls-1-3"),
    message: /does not declare tls_1_3/,
  },
  {
    policy: "database-connection-tls",
    why: "sslmode=require",
    edit: (g) =>
      setProps(g, "app-env-database-url", { value: "postgresql://u:p@h/db?sslmode=require" }),
    message: /sslmode=require/,
  },
  {
    policy: "database-connection-tls",
    why: "no sslmode",
    edit: (g) => setProps(g, "app-env-database-url", { value: "postgres://u:p@h/db" }),
    message: /sslmode=\(unset\)/,
  },
  {
    policy: "database-connection-tls",
    why: "plain redis",
    edit: (g) => setProps(g, "app-env-redis-url", { value: "redis://default:p@h:6379" }),
  },
  {
    policy: "https-only-urls",
    why: "http signer",
    edit: (g) => setProps(g, "app-env-signer-url", { value: "http://api.ara.example/r2" }),
  },
  {
    policy: "https-only-urls",
    why: "scheme-less signer",
    edit: (g) => setProps(g, "app-env-signer-url", { value: "api.ara.example/r2" }),
    message: /must be an https:\/\/ URL/,
  },
  {
    policy: "https-only-urls",
    why: "HTTP health check",
    edit: (g) => setProps(g, "api-health", { type: "HTTP" }),
  },
  {
    policy: "https-only-urls",
    why: "plain-HTTP CORS origin",
    edit: (g) =>
      setProps(g, "reports-cors", {
        rules: [{ allowed: { origins: ["http://app.ara.example"], methods: ["GET"] } }],
      }),
  },
  {
    policy: "https-only-urls",
    why: "plain-HTTP worker variable",
    edit: (g) => (bindings(g)[3]!.text = "http://app.ara.example"),
  },
  {
    policy: "s3-deny-insecure-transport",
    why: "no bucket policy",
    edit: (g) => drop(g, "replica-policy"),
    message: /has no bucket policy/,
  },
  {
    policy: "s3-deny-insecure-transport",
    why: "policy without the TLS condition",
    edit: (g) =>
      setProps(g, "replica-policy", {
        policy: JSON.stringify({
          Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["a", "a/*"] }],
        }),
      }),
  },
  {
    policy: "stateful-resources-protected",
    why: "cache unprotected",
    edit: (g) => (find(g, "cache").protect = false),
    message: /not protected/,
  },
  {
    policy: "stateful-resources-protected",
    why: "bucket not retained (plan check)",
    edit: (g) => (find(g, "reports").retainOnDelete = false),
    message: /not retained on delete/,
  },
  {
    policy: "database-deletion-protection",
    why: "protection off",
    edit: (g) => setProps(g, "database", { deletionProtected: false }),
  },
  {
    policy: "database-daily-backups",
    why: "weekly backups",
    edit: (g) => setProps(g, "database-backups", { frequencyUnit: "week" }),
    message: /every 168 h/,
  },
  {
    policy: "database-daily-backups",
    why: "3 days' retention",
    edit: (g) => setProps(g, "database-backups", { retentionValue: 3 }),
  },
  {
    policy: "database-daily-backups",
    why: "no backup policy",
    edit: (g) => drop(g, "database-backups"),
    message: /no backup policy/,
  },
  {
    policy: "r2-public-access-disabled",
    why: "r2.dev on",
    edit: (g) => setProps(g, "reports-r2dev", { enabled: true }),
  },
  {
    policy: "r2-public-access-disabled",
    why: "r2.dev not pinned",
    edit: (g) => drop(g, "reports-r2dev"),
  },
  {
    policy: "r2-public-access-disabled",
    why: "a custom public domain",
    edit: (g) =>
      g.resources.push({
        urn: "urn:x::cd",
        type: T.r2CustomDomain,
        name: "public",
        props: { bucketName: "ara-prod-reports", domain: "files.ara.example" },
      }),
    message: /custom domain/,
  },
  {
    policy: "s3-public-access-blocked",
    why: "one flag off",
    edit: (g) => setProps(g, "replica-public-access", { restrictPublicBuckets: false }),
    message: /restrictPublicBuckets/,
  },
  {
    policy: "s3-encryption-at-rest",
    why: "no default algorithm",
    edit: (g) => setProps(g, "replica-encryption", { rules: [{ bucketKeyEnabled: true }] }),
  },
  {
    policy: "s3-versioning-enabled",
    why: "suspended",
    edit: (g) =>
      setProps(g, "replica-versioning", { versioningConfiguration: { status: "Suspended" } }),
  },
  {
    policy: "upstash-encryption-at-rest",
    why: "no Prod Pack",
    edit: (g) => setProps(g, "cache", { prodPack: false }),
  },
  {
    policy: "secrets-marked-secret",
    why: "a credential bound as plain_text",
    edit: (g) => bindings(g).push({ type: "plain_text", name: "API_TOKEN", text: "t" }),
    message: /API_TOKEN as plain_text/,
  },
  {
    policy: "secrets-marked-secret",
    why: "a secret_text value that is not a secret",
    edit: (g) => (find(g, "signer").secretInputs = []),
    level: "remediate",
    message: /bindings\[1\]\.text arrived as plain values and were marked secret/,
  },
  {
    policy: "vercel-sensitive-credentials",
    why: "non-sensitive credential",
    edit: (g) => setProps(g, "app-env-session-secret", { sensitive: false }),
    message: /SESSION_SECRET/,
  },
  {
    policy: "cloudflare-api-rate-limit",
    why: "1000 per minute",
    edit: (g) =>
      ((
        find(g, "api-rate-limit").props.rules as { ratelimit: { requestsPerPeriod: number } }[]
      )[0]!.ratelimit.requestsPerPeriod = 1000),
    message: /1000\/min/,
  },
  {
    policy: "cloudflare-api-rate-limit",
    why: "no ruleset",
    edit: (g) => drop(g, "api-rate-limit"),
  },
  {
    policy: "vercel-api-rate-limit",
    why: "deny instead of rate_limit",
    edit: (g) => (firewallRule(g).action.action = "deny"),
  },
  {
    policy: "vercel-api-rate-limit",
    why: "1000 per minute",
    edit: (g) => (firewallRule(g).action.rateLimit.limit = 1000),
  },
  {
    policy: "workers-dev-disabled",
    why: "workers.dev on",
    edit: (g) => setProps(g, "signer-subdomain", { enabled: true }),
  },
  {
    policy: "queue-dead-letters-consumed",
    why: "a dead-letter queue nobody consumes",
    edit: (g) => withDeadLetters(g, false),
    message:
      /Queue 'report-events-dlq' receives dead letters from QueueConsumer 'report-events-consumer', but nothing consumes it/,
  },
  {
    policy: "workers-dev-disabled",
    why: "no subdomain resource",
    edit: (g) => drop(g, "signer-subdomain"),
    message: /no WorkersScriptSubdomain/,
  },
];

describe("each policy fails on its violation", () => {
  it.each(CASES.map((c) => [c.policy, c.why, c] as const))("%s: %s", async (_p, _w, c) => {
    const e = await evaluate(c.stack ?? "prod", c.edit);
    const hits = named(e, c.policy);
    expect(hits.length, JSON.stringify(e.policies.violations, null, 2)).toBeGreaterThan(0);
    expect(hits.map((h) => h.level)).toContain(c.level ?? "mandatory");
    if (c.message) expect(hits.map((h) => h.message).join("\n")).toMatch(c.message);
    for (const h of hits) expect(h.message).toMatch(/Fix: |Remediated: /);
  });

  it("covers every policy in the pack", () => {
    expect(new Set(CASES.map((c) => c.policy))).toEqual(new Set(policies.map((p) => p.name)));
  });

  it("rules/ holds exactly one file per policy, named after it", () => {
    const files = readdirSync(path.join(PACK_DIR, "rules")).map((f) => f.replace(/\.ts$/, ""));
    expect(files.sort()).toEqual(policies.map((p) => p.name).sort());
  });
});

describe("queue-dead-letters-consumed", () => {
  it("passes when the dead-letter queue has a consumer of its own", async () => {
    const e = await evaluate("prod", (g) => withDeadLetters(g, true));
    expect(named(e, "queue-dead-letters-consumed")).toEqual([]);
  });

  it("does not take the consumer that sends to the dead-letter queue for one that reads it", async () => {
    // Both consumers depend on the dead-letter queue; only the second reads it.
    const e = await evaluate("prod", (g) => withDeadLetters(g, false));
    expect(named(e, "queue-dead-letters-consumed")).toHaveLength(1);
  });
});

describe("environment configs", () => {
  it("dev and staging relax production-only guardrails", async () => {
    const unprotected = (g: Graph) => {
      for (const r of g.resources) r.protect = r.retainOnDelete = false;
      setProps(g, "database", { deletionProtected: false });
      setProps(g, "cache", { prodPack: false });
    };
    for (const stack of ["dev", "staging"]) {
      const e = await evaluate(stack, unprotected);
      expect(
        e.policies.violations.filter((v) => v.level === "mandatory"),
        stack,
      ).toEqual([]);
    }
    const prod = await evaluate("prod", unprotected);
    const failed = new Set(
      prod.policies.violations.filter((v) => v.level === "mandatory").map((v) => v.policy),
    );
    expect(failed).toEqual(
      new Set([
        "stateful-resources-protected",
        "database-deletion-protection",
        "upstash-encryption-at-rest",
      ]),
    );
  });

  it("dev's rate limits are advisory and allow the Free plan's 17 per 10 s", async () => {
    const ok = await evaluate("dev");
    expect(named(ok, "cloudflare-api-rate-limit")).toEqual([]);
    const e = await evaluate("dev", (g) => drop(g, "api-rate-limit"));
    expect(named(e, "cloudflare-api-rate-limit").map((v) => v.level)).toEqual(["advisory"]);
  });

  it("a tiny dev budget fails dev, and an auditor's override of the budget is honoured", async () => {
    const dev = await evaluate("dev", (g) => setConfig(g, "budget", { monthlyUsd: 10 }));
    expect(named(dev, "stack-monthly-budget").map((v) => v.level)).toEqual(["mandatory"]);
    const audited = await evaluate("prod", undefined, {
      ...JSON.parse(readFileSync(path.join(PACK_DIR, "config", "prod.json"), "utf8")),
      "stack-monthly-budget": { enforcementLevel: "mandatory", monthlyUsd: 450 },
    });
    expect(audited.cost.budget).toBe(450);
    expect(named(audited, "stack-monthly-budget")[0]!.message).toMatch(
      /\$450\.00 budget of stack 'prod' \(policy config\)/,
    );
  });

  it('"all": "disabled" turns every policy off, the plan-only retainOnDelete check included', async () => {
    const e = await evaluate("prod", (g) => setProps(g, "cache", { tls: false }), {
      all: "disabled",
    });
    expect(e.policies.violations).toEqual([]);
  });
});

describe("policy metadata", () => {
  it.each(policies.map((p) => [p.name, p] as const))(
    "%s is documented and in its own file",
    (name, p) => {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.description).toMatch(/^[A-Z].*\.$/);
      expect(p.severity).toMatch(/^(low|medium|high|critical)$/);
      expect(p.enforcementLevel).toMatch(/^(mandatory|remediate)$/);
      expect((p.remediationSteps ?? "").length).toBeGreaterThan(20);
      const file = path.join(PACK_DIR, "rules", `${name}.ts`);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, "utf8");
      expect(text).toContain(`@severity ${p.severity}`);
      expect(text.match(/export const meta: RuleMeta/g)).toHaveLength(1);
      for (const env of ["dev", "staging", "prod"]) {
        const config = JSON.parse(
          readFileSync(path.join(PACK_DIR, "config", `${env}.json`), "utf8"),
        );
        expect(config[name], `${env}.json sets ${name}`).toBeDefined();
      }
      const docs = path.join(PACK_DIR, "..", "docs", "policies.md");
      expect(readFileSync(docs, "utf8")).toContain(`\`${name}\``);
    },
  );
});
