import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import contract from "../../app/web/contract.json";
import { ConfigError, loadConfig } from "../../app/web/src/config";
import { ROOT, type ProgramRun } from "../../offline/engine";
import { one, ofType, planAll, STACKS, type StackName } from "../harness";
import { T } from "../../policies/lib/types";

const ENV_VAR = T.vercelEnvVar;
let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

const VARIABLES = Object.keys(contract.variables) as (keyof typeof contract.variables)[];
const CREDENTIALS: string[] = VARIABLES.filter((k) => contract.variables[k].sensitive);

/** The environment the deployed app would start with: each planned variable's real value. */
const plannedEnvironment = (run: ProgramRun): Record<string, string> =>
  Object.fromEntries(
    ofType(run, ENV_VAR).map((v) => [String(v.inputs.key), String(v.props.value)]),
  );

describe.each(STACKS)("web app in %s", (stack) => {
  const run = () => runs[stack];

  it("runs its functions in iad1 with deployment protection", () => {
    const project = one(run(), T.vercelProject);
    expect(project.inputs).toMatchObject({
      name: `ara-${stack}-web`,
      nodeVersion: "20.x",
      resourceConfig: { functionDefaultRegions: ["iad1"] },
      vercelAuthentication: { deploymentType: "standardProtectionNew" },
      autoAssignCustomDomains: false,
    });
  });

  it("gets every variable the app needs, credentials sensitive and secret, production only", () => {
    const vars = ofType(run(), ENV_VAR);
    const keys = vars.map((v) => v.inputs.key).sort();
    // The email tier's variables exist only where the stack has one (dev has none). Every
    // committed stack has the log archive (ara:observability.logs.appArchive).
    const expected = VARIABLES.filter(
      (k) => stack !== "dev" || (contract.variables[k] as { from: string }).from !== "email",
    );
    expect(keys).toEqual([...expected].sort());
    // The contract's credentials are the ones a reader would expect, so a flag flipped in
    // contract.json cannot quietly make a secret readable in Vercel.
    expect([...CREDENTIALS].sort()).toEqual(
      [
        "DATABASE_URL",
        "MIGRATION_DATABASE_URL",
        "REDIS_URL",
        "SIGNER_TOKEN",
        "JWT_SECRET",
        "DATA_KEY",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "SENTRY_DSN",
        "LOG_ARCHIVE_TOKEN",
        "SMTP_USER",
        "SMTP_PASSWORD",
      ].sort(),
    );
    for (const v of vars) {
      const credential = CREDENTIALS.includes(String(v.inputs.key));
      expect(v.inputs.sensitive, String(v.inputs.key)).toBe(credential);
      expect(v.inputs.targets).toEqual(["production"]);
      if (credential) {
        expect(v.secretInputs, String(v.inputs.key)).toContain("value");
        expect(v.inputs.value).toBe("[secret]");
      }
    }
    const signerUrl = vars.find((v) => v.inputs.key === "SIGNER_URL")!;
    expect(signerUrl.props.value).toMatch(/^https:\/\/api\./);
    const dbUrl = vars.find((v) => v.inputs.key === "DATABASE_URL")!;
    expect(dbUrl.props.value).toMatch(/^postgresql:\/\/.+:6432\/.+\?sslmode=verify-full$/);
    expect(vars.find((v) => v.inputs.key === "REDIS_URL")!.props.value).toMatch(/^rediss:\/\//);
  });

  it("plans an environment the app's own config loader accepts", () => {
    const env = plannedEnvironment(run());
    const config = loadConfig(env);
    expect(config.DATABASE_URL).toBe(env.DATABASE_URL);
    expect(config.SIGNER_URL).toMatch(/^https:\/\/api\./);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.CLIENT_IP_HEADER).toBe("cf-connecting-ip");
  });

  it("fails the app's config loader when a planned variable is renamed or missing", () => {
    const env = plannedEnvironment(run());
    const { REDIS_URL, ...renamed } = env;
    expect(() => loadConfig({ ...renamed, REDIS_ADDRESS: REDIS_URL! })).toThrow(ConfigError);
    expect(() => loadConfig({ ...renamed, REDIS_ADDRESS: REDIS_URL! })).toThrow(
      /REDIS_URL is required/,
    );
    const { SIGNER_TOKEN: _token, ...missing } = env;
    expect(() => loadConfig(missing)).toThrow(/SIGNER_TOKEN/);
  });

  it("pins the project to the Node.js major the prebuilt function declares", () => {
    const vc = JSON.parse(
      readFileSync(
        path.join(
          ROOT,
          "app",
          "web",
          ".vercel",
          "output",
          "functions",
          "api.func",
          ".vc-config.json",
        ),
        "utf8",
      ),
    );
    const project = one(run(), T.vercelProject);
    expect(vc.runtime).toBe(`nodejs${String(project.inputs.nodeVersion).replace(".x", "")}.x`);
  });

  it("deploys exactly the prebuilt artifact, after its environment exists", () => {
    const deployment = one(run(), T.vercelDeployment);
    expect(deployment.inputs).toMatchObject({ production: true, pathPrefix: "app/web" });
    const base = path.join(ROOT, "app", "web", ".vercel", "output");
    const expected: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = path.join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const bytes = readFileSync(p);
          expected[path.relative(base, p)] =
            `${bytes.length}~${createHash("sha1").update(bytes).digest("hex")}`;
        }
      }
    };
    walk(base);
    expect(deployment.inputs.files).toEqual(expected);
    expect(Object.keys(expected)).toContain("config.json");
    const envUrns = ofType(run(), ENV_VAR).map((v) => v.urn);
    expect(deployment.dependsOn).toEqual(expect.arrayContaining(envUrns));
  });

  it("serves app.<domain>, rate-limits direct /api clients per IP and caps each proxy address", () => {
    const domain = one(run(), T.vercelDomain);
    expect(domain.inputs.domain).toMatch(/^app\.ara(-dev|-staging)?\.example$/);
    const firewall = one(run(), T.vercelFirewall);
    const rules = (firewall.inputs.rules as { rules: any[] }).rules;
    const fromCloudflare = { type: "geo_as_number", op: "eq", value: "13335" };
    const apiPath = { type: "path", op: "pre", value: "/api" };
    const [direct, ceiling] = rules;
    expect(direct).toMatchObject({
      active: true,
      conditionGroups: [{ conditions: [apiPath, { ...fromCloudflare, neg: true }] }],
      action: {
        action: "rate_limit",
        rateLimit: { limit: 100, window: 60, keys: ["ip"], algo: "fixed_window", action: "deny" },
        actionDuration: "5m",
      },
    });
    expect(ceiling).toMatchObject({
      active: true,
      conditionGroups: [{ conditions: [apiPath, fromCloudflare] }],
      action: { action: "rate_limit", rateLimit: { window: 60, keys: ["ip"] } },
    });
    expect(rules).toHaveLength(2);
  });

  it("never lets one shared Cloudflare address lock out unrelated users", () => {
    const rules = (one(run(), T.vercelFirewall).inputs.rules as { rules: any[] }).rules;
    // Every rule keyed on `ip` that can see proxied traffic must sit far above one client's
    // limit and block only briefly; a rule without the ASN condition sees proxied traffic.
    const seesProxied = (r: any) =>
      !r.conditionGroups[0].conditions.some(
        (c: any) => c.type === "geo_as_number" && c.value === "13335" && c.neg === true,
      );
    const perClient = 100;
    for (const rule of rules.filter(seesProxied)) {
      expect(rule.action.rateLimit.limit, rule.name).toBeGreaterThanOrEqual(10 * perClient);
      expect(rule.action.actionDuration, rule.name).toBe("1m");
    }
    expect(rules.filter(seesProxied)).toHaveLength(1);
  });

  it("protects the data key, whose loss would make stored emails unreadable, only in prod", () => {
    const dataKey = one(run(), T.randomBytes, "app-data-key");
    expect([dataKey.protect, dataKey.retainOnDelete]).toEqual(
      stack === "prod" ? [true, true] : [false, false],
    );
    expect(one(run(), T.randomBytes, "app-jwt-secret").protect).toBe(false);
  });
});
