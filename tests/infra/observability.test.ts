import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT, ROOT, type ProgramRun } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";
import { T } from "../../policies/lib/types";
import type { ConfigError } from "../../stacks/errors";
import { resolveSecrets, resolveStackConfig } from "../../stacks/load";
import { planStack, type StackName } from "../harness";
import { at, component, DOMAINS, ofType, one, planAll, STACKS } from "./tier";

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

/** Every Grafana rule of a stack: alert id → [severity, comparator, threshold, for]. */
function rules(run: ProgramRun): Record<string, [string, string, number, string]> {
  const out: Record<string, [string, string, number, string]> = {};
  for (const g of ofType(run, T.grafanaRuleGroup)) {
    for (const r of g.inputs.rules as any[]) {
      const c = JSON.parse(r.datas.find((d: any) => d.refId === "C").model);
      const ev = c.conditions[0].evaluator;
      expect(r.labels.severity, `${g.name}: ${r.name}`).toBe(
        String(g.inputs.name).split("-").pop(),
      );
      out[r.labels.alert_id] = [r.labels.severity, ev.type, ev.params[0], r.for];
    }
  }
  return out;
}

const REQUIRED = {
  "application-down": ["critical", "gt", 0.5, "0s"],
  "error-rate": ["critical", "gt", 0.01, "5m"],
  "response-time-critical": ["critical", "gt", 2, "10m"],
  "database-connections": ["critical", "gt", 0.9, "0s"],
  "response-time-warning": ["warning", "gt", 0.5, "15m"],
  "cache-hit-rate": ["warning", "lt", 0.8, "30m"],
  "storage-usage": ["warning", "gt", 0.8, "24h"],
};

/** ARA's log retention per environment, and where the worker's logs need Logpush (over 7 days). */
const RETENTION_DAYS: Record<StackName, number> = { dev: 7, staging: 30, prod: 365 };
const WORKER_LOGPUSH: Record<StackName, boolean> = { dev: false, staging: true, prod: true };

const EXPECTED_ALERTS: Record<StackName, Record<string, unknown>> = {
  prod: REQUIRED,
  staging: REQUIRED,
  dev: {
    "error-rate": REQUIRED["error-rate"],
    "response-time-critical": REQUIRED["response-time-critical"],
    "database-connections": REQUIRED["database-connections"],
    "storage-usage": REQUIRED["storage-usage"],
  },
};

describe.each(STACKS)("observability in %s", (stack) => {
  const run = () => runs[stack];

  it("runs the stack's alerts with their severity, threshold and window", () => {
    expect(rules(run())).toEqual(EXPECTED_ALERTS[stack]);
  });

  it("keeps the rule groups in the stack's own folder, evaluated every minute", () => {
    const folder = one(run(), T.grafanaFolder);
    expect(folder.inputs).toMatchObject({ title: `ARA ${stack}`, uid: `ara-${stack}-alerts` });
    for (const g of ofType(run(), T.grafanaRuleGroup)) {
      expect(g.inputs).toMatchObject({ folderUid: folder.outputs.uid, intervalSeconds: 60 });
      for (const r of g.inputs.rules as any[]) {
        const query = JSON.parse(r.datas[0].model);
        // Only this stack's series: environments share one Grafana Cloud stack.
        expect(query.expr).toMatch(new RegExp(`job(=|=~)"ara-${stack}-`));
        expect(r.annotations.runbook_url).toMatch(/\/docs\/runbooks\.md#[a-z-]+$/);
      }
    }
  });

  it("models the two SLOs where the stack wants them", () => {
    const slos = ofType(run(), T.grafanaSlo);
    if (stack === "dev") return expect(slos).toEqual([]);
    expect(
      slos.map((s) => [(s.inputs.objectives as any)[0].value, at(s, "queries.0.type")]).sort(),
    ).toEqual([
      [0.95, "ratio"],
      [0.999, "ratio"],
    ]);
    const latency = slos.find((s) => (s.inputs.objectives as any)[0].value === 0.95)!;
    expect(at(latency, "queries.0.ratio.successMetric")).toBe(
      `ara_http_server_duration_seconds_bucket{job="ara-${stack}-web",le="0.5"}`,
    );
    expect(at(latency, "alerting.fastburn.labels")).toEqual([
      { key: "severity", value: "critical" },
    ]);
  });

  it("gives the app a write-only token to this Grafana Cloud stack, as a secret", () => {
    const policy = one(run(), T.grafanaAccessPolicy);
    expect(policy.inputs).toMatchObject({
      scopes: ["metrics:write", "logs:write", "traces:write"],
      realms: [{ type: "stack", identifier: "000000" }],
      region: "prod-us-east-0",
    });
    const token = one(run(), T.grafanaAccessPolicyToken);
    expect(token.inputs.accessPolicyId).toBe(policy.outputs.policyId);
    const env = (key: string) => ofType(run(), T.vercelEnvVar).find((v) => v.inputs.key === key)!;
    const headers = env("OTEL_EXPORTER_OTLP_HEADERS");
    expect(headers.inputs).toMatchObject({ sensitive: true, value: "[secret]" });
    expect(headers.secretInputs).toContain("value");
    const basic = String(headers.props.value).replace("Authorization=Basic%20", "");
    // The token is secret in state; the header carries it as basic auth for the stack id.
    expect(token.outputs.token).toBe("[secret]");
    expect(Buffer.from(basic, "base64").toString()).toMatch(/^000000:glc_[0-9a-f]{48}$/);
    expect(env("OTEL_EXPORTER_OTLP_ENDPOINT").props.value).toBe(
      "https://otlp-gateway-prod-us-east-0.grafana.net/otlp",
    );
    expect(env("OTEL_SERVICE_NAME").props.value).toBe(`ara-${stack}-web`);
    const dsn = env("SENTRY_DSN");
    expect(dsn.inputs).toMatchObject({ sensitive: true, value: "[secret]" });
    expect(String(dsn.props.value)).toMatch(
      /^https:\/\/[0-9a-f]+@o0\.ingest\.us\.sentry\.io\/\d+$/,
    );
  });

  it("probes /api/ready and /r2/health from 3 locations where synthetics are on", () => {
    const checks = ofType(run(), T.grafanaCheck);
    if (stack === "dev") return expect(checks).toEqual([]);
    expect(checks.map((c) => [c.inputs.job, c.inputs.target]).sort()).toEqual([
      [`ara-${stack}-app`, `https://app.${DOMAINS[stack]}/api/ready`],
      [`ara-${stack}-signer`, `https://api.${DOMAINS[stack]}/r2/health`],
    ]);
    for (const c of checks) expect((c.inputs.probes as number[]).length).toBeGreaterThanOrEqual(3);
  });

  it("keeps the stack's logs in the archive bucket, deleted after exactly its retention", () => {
    // ARA's requirement, restated: every committed stack has the archive (dev for the app's
    // lines, which Vercel keeps 1 day; staging and prod for the worker's too).
    const { children } = component(run(), T.logArchiveComponent);
    const bucket = one(run(), T.r2Bucket, "logs-bucket");
    expect(children).toContain(bucket);
    expect(bucket.inputs.name).toBe(`ara-${stack}-logs`);
    const lifecycles = children.filter((c) => c.type === T.r2Lifecycle);
    expect(lifecycles).toHaveLength(1);
    expect(lifecycles[0]!.inputs.bucketName).toBe(`ara-${stack}-logs`);
    // One rule over the whole bucket (app/ and workers/), at the stack's retention in seconds.
    expect(lifecycles[0]!.inputs.rules).toMatchObject([
      {
        enabled: true,
        conditions: { prefix: "" },
        deleteObjectsTransition: {
          condition: { type: "Age", maxAge: RETENTION_DAYS[stack] * 86_400 },
        },
      },
    ]);
  });

  it("ships the worker's trace events with Logpush only where Workers Logs keeps less than the retention", () => {
    const scripts = ofType(run(), T.workersScript);
    expect(scripts.length).toBeGreaterThan(0);
    if (!WORKER_LOGPUSH[stack]) {
      expect(ofType(run(), T.logpushJob)).toEqual([]);
      for (const s of scripts) expect(s.inputs.logpush).toBe(false);
      return;
    }
    const job = one(run(), T.logpushJob);
    expect(job.parent).toBe(component(run(), T.logArchiveComponent).self.urn);
    expect(job.inputs).toMatchObject({
      dataset: "workers_trace_events",
      destinationConf: "[secret]",
    });
    expect(JSON.parse(String(job.inputs.filter)).where.and[0].value).toBe(`ara-${stack}-`);
    for (const s of scripts) expect(s.inputs.logpush).toBe(true);
  });

  it("needs the R2 API token (the Logpush job's) only where the stack has the job", () => {
    const raw = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT).config;
    const config = resolveStackConfig(raw, { stack, offline: true });
    // A real run with no credential at all: which log-archive keys does it ask for?
    let missing: string[] = [];
    try {
      resolveSecrets(raw, new Set(), {}, { stack, offline: false }, config);
    } catch (err) {
      missing = (err as ConfigError).problems.map((p) => p.key);
    }
    expect(missing).toContain("ara:vercelApiToken");
    expect(missing.filter((k) => k.startsWith("ara:logArchive"))).toEqual(
      WORKER_LOGPUSH[stack] ? ["ara:logArchiveAccessKeyId", "ara:logArchiveSecretAccessKey"] : [],
    );
  });

  it("archives the app's logs through the signer into the archive bucket, with secret tokens", () => {
    const signer = one(run(), T.workersScript, "worker-script");
    const bindings = signer.inputs.bindings as {
      name: string;
      type: string;
      [k: string]: unknown;
    }[];
    const binding = (name: string) => bindings.find((b) => b.name === name);
    const env = (key: string) => ofType(run(), T.vercelEnvVar).find((v) => v.inputs.key === key);
    const token = ofType(run(), T.randomBytes).find((r) => r.name === "logs-ingest-token");
    expect(binding("LOG_ARCHIVE")).toEqual({
      type: "r2_bucket",
      name: "LOG_ARCHIVE",
      bucketName: `ara-${stack}-logs`,
    });
    // Its own token, not the signer's: it can only add log objects.
    expect(binding("LOG_INGEST_TOKEN")).toMatchObject({ type: "secret_text", text: "[secret]" });
    expect(signer.secretInputs).toContain(
      `bindings[${bindings.indexOf(binding("LOG_INGEST_TOKEN")!)}].text`,
    );
    expect(token?.inputs.length).toBe(32);
    expect(token?.parent).toMatch(/LogArchive::logs$/);
    // The app sends its batches to the signer's host, under the worker's route.
    const url = env("LOG_ARCHIVE_URL")!;
    expect(url.inputs).toMatchObject({ sensitive: false, targets: ["production"] });
    expect(url.props.value).toBe(`https://api.${DOMAINS[stack]}/r2/logs/app`);
    const appToken = env("LOG_ARCHIVE_TOKEN")!;
    expect(appToken.inputs).toMatchObject({ sensitive: true, value: "[secret]" });
    expect(appToken.secretInputs).toContain("value");
    // The same value on both sides, and not the signer's token.
    const plain = (signer.props.bindings as { name: string; text?: string }[]).find(
      (b) => b.name === "LOG_INGEST_TOKEN",
    )!.text;
    expect(plain).toMatch(/^[0-9a-f]{64}$/);
    expect(appToken.props.value).toBe(plain);
    expect(appToken.props.value).not.toBe(env("SIGNER_TOKEN")!.props.value);
  });
});

describe("integrations turned off", () => {
  it("create none of their resources, and the app gets no exporter or DSN", async () => {
    const run = await planStack("prod", {
      config: {
        "ara:observability": JSON.stringify({
          grafana: { enabled: false },
          sentry: { enabled: false },
          // Neither archive: only allowed where the retention is within Vercel's 1 day.
          logs: { retentionDays: 1, workerArchive: false, appArchive: false },
        }),
      },
    });
    const types = new Set(run.resources.map((r) => r.type));
    for (const t of [...types])
      expect(t).not.toMatch(
        /^(grafana|sentry):|pulumi:providers:(grafana|sentry)|ara:observability:/,
      );
    expect(types.has(T.logpushJob)).toBe(false);
    const keys = ofType(run, T.vercelEnvVar).map((v) => v.inputs.key);
    expect(keys).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    expect(keys).not.toContain("OTEL_EXPORTER_OTLP_HEADERS");
    expect(keys).not.toContain("SENTRY_DSN");
    expect(keys).not.toContain("LOG_ARCHIVE_URL");
    expect(keys).not.toContain("LOG_ARCHIVE_TOKEN");
    expect(keys).toContain("OTEL_SERVICE_NAME");
  });

  it("without the app and the worker archive: no bucket, binding, token or LOG_ARCHIVE_* variable", async () => {
    const run = await planStack("dev", {
      config: {
        "ara:observability": JSON.stringify({
          logs: { retentionDays: 1, workerArchive: false, appArchive: false },
        }),
      },
    });
    expect(ofType(run, T.logArchiveComponent)).toEqual([]);
    expect(ofType(run, T.logpushJob)).toEqual([]);
    expect(run.resources.filter((r) => r.name.startsWith("logs-"))).toEqual([]);
    const signer = one(run, T.workersScript, "worker-script");
    const names = (signer.inputs.bindings as { name: string }[]).map((b) => b.name);
    expect(names).toContain("SIGNER_TOKEN");
    expect(names).not.toContain("LOG_ARCHIVE");
    expect(names).not.toContain("LOG_INGEST_TOKEN");
    const keys = ofType(run, T.vercelEnvVar).map((v) => v.inputs.key);
    expect(keys).toContain("SIGNER_URL");
    expect(keys).not.toContain("LOG_ARCHIVE_URL");
    expect(keys).not.toContain("LOG_ARCHIVE_TOKEN");
  });

  it("with the app archive alone (dev's): the bucket, its binding and the app's variables, no Logpush", async () => {
    const run = await planStack("dev", {
      config: {
        "ara:observability": JSON.stringify({
          logs: { retentionDays: 7, workerArchive: false, appArchive: true },
        }),
      },
    });
    expect(ofType(run, T.logArchiveComponent)).toHaveLength(1);
    expect(ofType(run, T.logpushJob)).toEqual([]);
    const keys = ofType(run, T.vercelEnvVar).map((v) => v.inputs.key);
    expect(keys).toEqual(expect.arrayContaining(["LOG_ARCHIVE_URL", "LOG_ARCHIVE_TOKEN"]));
  });

  it("turn synthetics off alone without touching the rules", async () => {
    const run = await planStack("prod", {
      config: {
        "ara:observability": JSON.stringify({ grafana: { synthetics: { enabled: false } } }),
      },
    });
    expect(ofType(run, T.grafanaCheck)).toEqual([]);
    expect(ofType(run, T.grafanaRuleGroup)).toHaveLength(2);
  });
});
