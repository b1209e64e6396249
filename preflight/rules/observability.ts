import { oneOf, pattern, range, rule, type ArgRule, type TypeEntry } from "../rule";

/**
 * The observability tier (components/observability): Grafana Cloud, Synthetic Monitoring,
 * Sentry and the worker log archive's Logpush job. Each rule is read from the installed
 * provider's `.d.ts` (its doc comments state the values the API accepts) or the vendor's docs.
 */

const G = "node_modules/@pulumiverse/grafana";
const S = "node_modules/@pulumiverse/sentry";
const CF = "node_modules/@pulumi/cloudflare";
const COMPONENT_NOTE =
  "a component resource (components/observability): it has no cloud API and no arguments; its children are checked";
const component = (file: string): TypeEntry => ({ source: file, args: {}, note: COMPONENT_NOTE });

const ALERTING_FIX =
  "change the alert's settings in stacks/presets.ts (observability.alerting) or observability/alerts.ts";
const duration = (arg: string): ArgRule =>
  pattern(/^(\d+[smhdw])+$/, "a Prometheus duration such as 5m or 24h", {
    source: `${G}/types/input.d.ts (RuleGroupRule.${arg})`,
    fix: ALERTING_FIX,
  });
const jsonText = (what: string, source: string, fix: string): ArgRule =>
  rule(`${what} as JSON text`, { source, fix }, (v) => {
    if (typeof v !== "string") return `${JSON.stringify(v)} is not a string`;
    try {
      JSON.parse(v);
      return undefined;
    } catch {
      return "is not valid JSON";
    }
  });
const slug = (what: string, source: string, fix: string) =>
  pattern(/^[a-z0-9][a-z0-9_-]{0,49}$/, `a ${what} slug: lowercase letters, digits, '-' and '_'`, {
    source,
    fix,
  });

export const observability: Record<string, TypeEntry> = {
  "ara:observability:GrafanaTelemetry": component("components/observability/telemetry.ts"),
  "ara:observability:GrafanaAlerting": component("components/observability/alerting.ts"),
  "ara:observability:SyntheticChecks": component("components/observability/synthetics.ts"),
  "ara:observability:ErrorTracking": component("components/observability/sentry.ts"),
  "ara:observability:LogArchive": component("components/observability/logs.ts"),

  "pulumi:providers:grafana": {
    source: `${G}/provider.d.ts`,
    args: {
      url: [
        pattern(/^https:\/\/[a-z0-9-]+\.grafana\.net$/, "the Grafana Cloud stack's URL", {
          source: `${G}/provider.d.ts (url)`,
          fix: "set ara:grafanaStackSlug to the stack's slug (https://<slug>.grafana.net)",
        }),
      ],
      smUrl: [
        pattern(/^https:\/\/[^\s/]+$/, "an https:// origin of the Synthetic Monitoring API", {
          source: `${G}/provider.d.ts (smUrl)`,
          fix: "set ara:grafanaSmUrl to the SM API URL of the stack's region",
        }),
      ],
    },
    note: "its tokens are secrets whose validity only the API can judge (a real preview)",
  },
  "pulumi:providers:sentry": {
    source: `${S}/provider.d.ts`,
    args: {},
    note: "token is a secret whose validity only the API can judge; baseUrl is left at sentry.io",
  },

  "grafana:cloud/accessPolicy:AccessPolicy": {
    source: `${G}/cloud/accessPolicy.d.ts`,
    args: {
      region: [
        pattern(
          /^[a-z]+-[a-z]+-[a-z]+-\d+$/,
          "a Grafana Cloud region slug such as prod-us-east-0",
          {
            source: `${G}/cloud/accessPolicy.d.ts (region)`,
            fix: "set ara:grafanaRegion to the stack's region slug",
          },
        ),
      ],
      "scopes[]": [
        pattern(/^[a-z-]+:(read|write|delete)$/, "a scope such as metrics:write", {
          source:
            "https://grafana.com/docs/grafana-cloud/security-and-account-management/authentication-and-permissions/access-policies/",
          fix: "list scopes as <resource>:<read|write|delete> in components/observability/telemetry.ts",
        }),
      ],
      "realms[].type": [
        oneOf(["org", "stack"], {
          source: `${G}/types/input.d.ts (AccessPolicyRealm.type)`,
          fix: "scope the policy to the stack (type stack) in components/observability/telemetry.ts",
        }),
      ],
      "realms[].identifier": [
        pattern(/^\S+$/, "the org slug (type org) or the numeric stack id (type stack)", {
          source: `${G}/types/input.d.ts (AccessPolicyRealm.identifier)`,
          fix: "set ara:grafanaStackId to the stack's numeric id",
        }),
      ],
    },
  },
  "grafana:cloud/accessPolicyToken:AccessPolicyToken": {
    source: `${G}/cloud/accessPolicyToken.d.ts`,
    args: {
      region: [
        pattern(/^[a-z]+-[a-z]+-[a-z]+-\d+$/, "the policy's region slug", {
          source: `${G}/cloud/accessPolicyToken.d.ts (region)`,
          fix: "set ara:grafanaRegion to the stack's region slug",
        }),
      ],
    },
  },
  "grafana:oss/folder:Folder": {
    source: `${G}/oss/folder.d.ts`,
    args: {
      uid: [
        pattern(/^[A-Za-z0-9_-]{1,40}$/, "1–40 characters: letters, digits, '-' and '_'", {
          source: "https://grafana.com/docs/grafana/latest/developers/http_api/folder/",
          fix: "shorten the folder uid in components/observability/alerting.ts",
        }),
      ],
    },
  },
  "grafana:alerting/ruleGroup:RuleGroup": {
    source: `${G}/alerting/ruleGroup.d.ts`,
    args: {
      intervalSeconds: [
        range(10, 86_400, {
          source: `${G}/alerting/ruleGroup.d.ts (intervalSeconds); Grafana's minimum interval is 10 s`,
          fix: "set observability.alerting.evaluationIntervalSeconds in stacks/presets.ts",
        }),
      ],
      "rules[].for": [duration("for")],
      "rules[].noDataState": [
        oneOf(["OK", "NoData", "KeepLast", "Alerting"], {
          source: `${G}/types/input.d.ts (RuleGroupRule.noDataState)`,
          fix: "use one of the documented states in components/observability/alerting.ts",
        }),
      ],
      "rules[].execErrState": [
        oneOf(["OK", "Error", "KeepLast", "Alerting"], {
          source: `${G}/types/input.d.ts (RuleGroupRule.execErrState)`,
          fix: "use one of the documented states in components/observability/alerting.ts",
        }),
      ],
      "rules[].labels.severity": [
        oneOf(["critical", "warning"], {
          source: `${G}/types/input.d.ts (RuleGroupRule.labels): on-call routes on severity`,
          fix: ALERTING_FIX,
        }),
      ],
      "rules[].datas[].model": [
        jsonText(
          "the query model",
          `${G}/types/input.d.ts (RuleGroupRuleData.model); pulumiverse/pulumi-grafana#220`,
          "build the model with JSON.stringify in components/observability/alerting.ts",
        ),
      ],
    },
  },
  "grafana:slo/sLO:SLO": {
    source: `${G}/slo/slo.d.ts`,
    args: {
      "objectives[].value": [
        rule(
          "a value between 0 and 1",
          {
            source: `${G}/types/input.d.ts (SLOObjective.value)`,
            fix: "set the objective as a ratio in observability/slos.ts (0.999 is 99.9%)",
          },
          (v) =>
            typeof v === "number" && v > 0 && v < 1
              ? undefined
              : `${String(v)} is not between 0 and 1`,
        ),
      ],
      "objectives[].window": [
        pattern(/^\d+[dhm]$/, "a Prometheus duration such as 28d", {
          source: `${G}/types/input.d.ts (SLOObjective.window)`,
          fix: "set the window in observability/slos.ts",
        }),
      ],
      "queries[].type": [
        oneOf(["freeform", "query", "ratio", "grafanaQueries", "threshold"], {
          source: `${G}/types/input.d.ts (SLOQuery.type)`,
          fix: "use a documented query type in components/observability/alerting.ts",
        }),
      ],
    },
  },
  "grafana:syntheticMonitoring/check:Check": {
    source: `${G}/syntheticmonitoring/check.d.ts`,
    args: {
      frequency: [
        range(1000, 3_600_000, {
          source: `${G}/syntheticmonitoring/check.d.ts (frequency, ms)`,
          fix: "set observability.grafana.synthetics.frequencySeconds between 1 and 3600 in stacks/presets.ts",
        }),
      ],
      timeout: [
        range(1000, 180_000, {
          source: `${G}/syntheticmonitoring/check.d.ts (timeout, ms)`,
          fix: "set the check's timeout in components/observability/synthetics.ts",
        }),
      ],
      alertSensitivity: [
        oneOf(["none", "low", "medium", "high"], {
          source: `${G}/syntheticmonitoring/check.d.ts (alertSensitivity)`,
          fix: "use a documented sensitivity in components/observability/synthetics.ts",
        }),
      ],
      target: [
        pattern(/^https:\/\/\S+$/, "an https:// URL (HTTP checks)", {
          source: `${G}/syntheticmonitoring/check.d.ts (target)`,
          fix: "check the endpoints passed to SyntheticChecks in infra/program.ts",
        }),
      ],
    },
    relations: [
      {
        arg: "probes",
        rule: "at least 3 probes, so the application-down alert can require 2 to agree",
        source: `${G}/syntheticmonitoring/check.d.ts (probes); the application-down alert needs 2 of 3`,
        fix: "list at least 3 probes in observability.grafana.synthetics.probes",
        test: (inputs) =>
          Array.isArray(inputs.probes) && inputs.probes.length < 3
            ? `${inputs.probes.length} probe(s)`
            : undefined,
      },
    ],
  },

  "sentry:index/sentryTeam:SentryTeam": {
    source: `${S}/sentryTeam.d.ts`,
    args: {
      organization: [slug("organization", `${S}/sentryTeam.d.ts`, "set ara:sentryOrganization")],
      slug: [
        slug(
          "team",
          `${S}/sentryTeam.d.ts`,
          "change the team slug in components/observability/sentry.ts",
        ),
      ],
    },
  },
  "sentry:index/sentryProject:SentryProject": {
    source: `${S}/sentryProject.d.ts`,
    args: {
      organization: [slug("organization", `${S}/sentryProject.d.ts`, "set ara:sentryOrganization")],
      slug: [
        slug(
          "project",
          `${S}/sentryProject.d.ts`,
          "change the project slug in components/observability/sentry.ts",
        ),
      ],
      platform: [
        pattern(/^[a-z0-9-]+$/, "a Sentry platform id such as node", {
          source: "https://docs.sentry.io/platforms/",
          fix: "set the platform in components/observability/sentry.ts",
        }),
      ],
    },
  },
  "sentry:index/sentryKey:SentryKey": {
    source: `${S}/sentryKey.d.ts`,
    args: {
      organization: [slug("organization", `${S}/sentryKey.d.ts`, "set ara:sentryOrganization")],
    },
  },

  "cloudflare:index/logpushJob:LogpushJob": {
    source: `${CF}/logpushJob.d.ts`,
    args: {
      dataset: [
        oneOf(["workers_trace_events"], {
          source: `${CF}/logpushJob.d.ts (dataset; account-scoped Workers dataset)`,
          fix: "ship the worker's logs as workers_trace_events (components/observability/logs.ts)",
        }),
      ],
      "outputOptions.outputType": [
        oneOf(["ndjson", "csv"], {
          source: `${CF}/types/input.d.ts (LogpushJobOutputOptions.outputType)`,
          fix: "use ndjson or csv in components/observability/logs.ts",
        }),
      ],
      "outputOptions.timestampFormat": [
        oneOf(["unixnano", "unix", "rfc3339", "rfc3339ms", "rfc3339ns"], {
          source: `${CF}/types/input.d.ts (LogpushJobOutputOptions.timestampFormat)`,
          fix: "use a documented format in components/observability/logs.ts",
        }),
      ],
      filter: [
        jsonText(
          "the filter",
          "https://developers.cloudflare.com/logs/reference/filters/",
          "build the filter with JSON.stringify in components/observability/logs.ts",
        ),
      ],
    },
  },
};
