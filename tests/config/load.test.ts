import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { withPresetTable } from "../../scripts/docs/config-table";
import { ROOT, PROJECT } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";
import { ConfigError } from "../../stacks/errors";
import { isPlaceholder, resolveSecrets, resolveStackConfig } from "../../stacks/load";
import { PRESETS } from "../../stacks/presets";
import { StackConfig } from "../../stacks/schema";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../stacks/secrets";
import { STACKS } from "../harness";

const committed = (stack: string) =>
  readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT).config;

function problemsOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("committed stacks", () => {
  it.each(STACKS)("%s resolves to a valid config with its own environment", (stack) => {
    const config = resolveStackConfig(committed(stack), { stack, offline: true });
    expect(StackConfig.parse(config)).toEqual(config);
    expect(config.environment).toBe(stack);
  });

  it("carry ARA's budgets: $50, $100, $500", () => {
    const budgets = STACKS.map(
      (s) => resolveStackConfig(committed(s), { stack: s, offline: true }).budget.monthlyUsd,
    );
    expect(budgets).toEqual([50, 100, 500]);
  });

  it("differ as ARA's environment strategy says", () => {
    const [dev, staging, prod] = STACKS.map((s) =>
      resolveStackConfig(committed(s), { stack: s, offline: true }),
    );
    // Sizes and HA.
    expect(dev!.database.replicas).toBe(0);
    expect(staging!.database.replicas).toBeGreaterThanOrEqual(2);
    expect(prod!.database.replicas).toBeGreaterThanOrEqual(2);
    expect(prod!.cache.readRegions).toEqual(["us-west-1"]);
    // Backups: weekly in dev, daily in prod.
    expect(dev!.database.backup.frequency).toBe("weekly");
    expect(prod!.database.backup.frequency).toBe("daily");
    // Retention of data: 7 days in dev, 365 in prod (docs/architecture.md, Requirements).
    expect(dev!.storage.objectExpiryDays).toBe(7);
    expect(prod!.storage.objectExpiryDays).toBe(365);
    // Protection only in prod.
    expect(prod!.protection).toEqual({ protect: true, retainOnDelete: true });
    expect(dev!.protection).toEqual({ protect: false, retainOnDelete: false });
    // Alerting: health checks in staging and prod.
    expect([dev, staging, prod].map((c) => c!.monitoring.healthChecks.enabled)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("keep identity out of presets", () => {
    for (const preset of Object.values(PRESETS)) {
      expect(Object.keys(preset)).not.toContain("domain");
      expect(Object.keys(preset)).not.toContain("accounts");
    }
  });
});

describe("overrides", () => {
  it("merge field by field over the preset", () => {
    const config = resolveStackConfig(
      {
        ...committed("dev"),
        "ara:database": JSON.stringify({ replicas: 2, backup: { retentionDays: 14 } }),
      },
      { stack: "dev", offline: true },
    );
    expect(config.database.replicas).toBe(2);
    expect(config.database.backup).toEqual({
      frequency: "weekly",
      retentionDays: 14,
      scheduleTime: "03:00",
    });
    expect(config.database.clusterSize).toBe(PRESETS.dev.database.clusterSize);
  });

  it("replace lists and accept null where the schema allows it", () => {
    const config = resolveStackConfig(
      {
        ...committed("prod"),
        "ara:cache": JSON.stringify({ readRegions: [] }),
        "ara:storage": JSON.stringify({ lockRetentionDays: null }),
      },
      { stack: "prod", offline: true },
    );
    expect(config.cache.readRegions).toEqual([]);
    expect(config.storage.lockRetentionDays).toBeNull();
  });
});

describe("placeholders", () => {
  it("are recognised", () => {
    expect(isPlaceholder("00000000000000000000000000000000")).toBe(true);
    expect(isPlaceholder("team_placeholder")).toBe(true);
    expect(isPlaceholder("ara.example")).toBe(true);
    expect(isPlaceholder("ops@ara.example")).toBe(true);
    expect(isPlaceholder("ara-audit.com")).toBe(false);
    expect(isPlaceholder("3f1c0a8e2b9d4c7f8a6e5d4c3b2a1f0e")).toBe(false);
  });

  it("are accepted offline and refused in a real run, each named with its fix", () => {
    expect(() =>
      resolveStackConfig(committed("prod"), { stack: "prod", offline: true }),
    ).not.toThrow();
    const err = problemsOf(() =>
      resolveStackConfig(committed("prod"), { stack: "prod", offline: false }),
    );
    const keys = err.problems.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "ara:domain",
        "ara:cloudflareAccountId",
        "ara:cloudflareZoneId",
        "ara:vercelTeam",
        "ara:planetscaleOrganization",
      ]),
    );
    expect(err.message).toContain("pulumi config set ara:cloudflareAccountId <value> --stack prod");
  });

  it("pass a real run once replaced", () => {
    const real = {
      ...committed("prod"),
      "ara:domain": "ara-audit.com",
      "ara:cloudflareAccountId": "3f1c0a8e2b9d4c7f8a6e5d4c3b2a1f0e",
      "ara:cloudflareZoneId": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
      "ara:vercelTeam": "team_ara",
      "ara:planetscaleOrganization": "ara",
      "ara:upstashEmail": "ops@ara-audit.com",
      "ara:monitoring": JSON.stringify({ alertEmails: ["oncall@ara-audit.com"] }),
      "ara:grafanaStackSlug": "araaudit",
      "ara:grafanaStackId": "1234567",
      "ara:sentryOrganization": "ara-audit",
      "ara:observability": JSON.stringify({
        runbookBaseUrl: "https://github.com/ara-audit/ara-infra/blob/main",
      }),
    };
    expect(resolveStackConfig(real, { stack: "prod", offline: false }).domain).toBe(
      "ara-audit.com",
    );
  });
});

describe("secrets", () => {
  const raw = committed("prod");

  it("get fake stand-ins offline, never real values", () => {
    const secrets = resolveSecrets(
      raw,
      new Set(),
      { CLOUDFLARE_API_TOKEN: "real-token" },
      { stack: "prod", offline: true },
    );
    expect(Object.values(secrets).every((v) => v === OFFLINE_SECRET_PLACEHOLDER)).toBe(true);
  });

  it("come from encrypted config first, then the environment", () => {
    const withConfig = { ...raw, "ara:cloudflareApiToken": "from-config" };
    const env = {
      CLOUDFLARE_API_TOKEN: "from-env",
      VERCEL_API_TOKEN: "v",
      UPSTASH_API_KEY: "u",
      PLANETSCALE_SERVICE_TOKEN_ID: "i",
      PLANETSCALE_SERVICE_TOKEN: "t",
      GRAFANA_CLOUD_ACCESS_POLICY_TOKEN: "g",
      GRAFANA_AUTH: "ga",
      GRAFANA_SM_ACCESS_TOKEN: "gs",
      SENTRY_AUTH_TOKEN: "s",
      LOG_ARCHIVE_ACCESS_KEY_ID: "lk",
      LOG_ARCHIVE_SECRET_ACCESS_KEY: "ls",
      PAGERDUTY_TOKEN: "p",
    };
    const secrets = resolveSecrets(withConfig, new Set(["ara:cloudflareApiToken"]), env, {
      stack: "prod",
      offline: false,
    });
    expect(secrets.cloudflareApiToken).toBe("from-config");
    expect(secrets.vercelApiToken).toBe("v");
  });

  it("missing in a real run fail with the exact command that fixes each", () => {
    const err = problemsOf(() =>
      resolveSecrets(raw, new Set(), {}, { stack: "staging", offline: false }),
    );
    // Without the stack's config every credential counts, observability and on-call included.
    expect(err.problems).toHaveLength(12);
    expect(err.message).toContain(
      "pulumi config set --secret ara:vercelApiToken <value> --stack staging  (or export VERCEL_API_TOKEN)",
    );
    expect(err.message).toContain(
      "pulumi config set --secret ara:sentryAuthToken <value> --stack staging  (or export SENTRY_AUTH_TOKEN)",
    );
    expect(err.message).toContain(
      "pulumi config set --secret ara:pagerdutyToken <value> --stack staging  (or export PAGERDUTY_TOKEN)",
    );
  });

  it("of an integration the stack turns off may be absent; of one it turns on may not", () => {
    const env = {
      CLOUDFLARE_API_TOKEN: "c",
      VERCEL_API_TOKEN: "v",
      UPSTASH_API_KEY: "u",
      PLANETSCALE_SERVICE_TOKEN_ID: "i",
      PLANETSCALE_SERVICE_TOKEN: "t",
    };
    const devRaw = committed("dev");
    const dev = resolveStackConfig(devRaw, { stack: "dev", offline: true });
    const off = {
      ...dev,
      observability: {
        ...dev.observability,
        grafana: { ...dev.observability.grafana, enabled: false },
        sentry: { enabled: false },
      },
    };
    const opts = { stack: "dev", offline: false };
    expect(resolveSecrets(devRaw, new Set(), env, opts, off).sentryAuthToken).toBe("");
    const err = problemsOf(() => resolveSecrets(devRaw, new Set(), env, opts, dev));
    // dev: Grafana and Sentry on, no synthetic checks, no worker archive (its app archive
    // needs no R2 API token).
    expect(err.problems.map((p) => p.key).sort()).toEqual([
      "ara:grafanaCloudAccessPolicyToken",
      "ara:grafanaStackToken",
      "ara:sentryAuthToken",
    ]);
  });

  it("stored in plain text are refused even offline", () => {
    const err = problemsOf(() =>
      resolveSecrets(
        { ...raw, "ara:upstashApiKey": "plain" },
        new Set(),
        {},
        { stack: "dev", offline: true },
      ),
    );
    expect(err.problems[0]).toMatchObject({
      key: "ara:upstashApiKey",
      fix: "pulumi config set --secret ara:upstashApiKey <value> --stack dev",
    });
  });
});

describe("docs/configuration.md", () => {
  it("shows the presets as they are (regenerate with npm run docs)", () => {
    const doc = readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
    expect(doc).toBe(withPresetTable(doc));
    expect(doc).toContain(
      '| `ara:database.clusterSize` | `"PS_10_AWS_ARM"` | `"PS_10_AWS_ARM"` | `"PS_40_AWS_ARM"` |',
    );
  });
});
