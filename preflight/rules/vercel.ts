import {
  duration,
  hostname,
  length,
  maxBytes,
  oneOf,
  pattern,
  range,
  rule,
  show,
  type TypeEntry,
} from "../rule";

/**
 * Vercel's argument rules: enumerations and validators from the Terraform provider the Pulumi
 * SDK bridges (its Go validators run in `pulumi preview`), regions from Vercel's docs.
 */

const D = "node_modules/@pulumiverse/vercel";
const TF = "https://github.com/vercel/terraform-provider-vercel/blob/main/vercel";

/** Vercel function regions (the provider's region validator and https://vercel.com/docs/regions). */
export const VERCEL_REGIONS = [
  "arn1",
  "bom1",
  "cdg1",
  "cle1",
  "cpt1",
  "dub1",
  "dxb1",
  "fra1",
  "gru1",
  "hkg1",
  "hnd1",
  "iad1",
  "icn1",
  "kix1",
  "lhr1",
  "pdx1",
  "sfo1",
  "sin1",
  "syd1",
  "yul1",
] as const;

export const vercelRegion = oneOf(VERCEL_REGIONS, {
  source: "https://vercel.com/docs/regions#region-list",
  fix: "set ara:app.functionRegion to a Vercel region id such as iad1 (lowercase)",
});

export const PROJECT_NAME = /^[a-z0-9-]{1,52}$/;
const projectId = pattern(/^prj_[A-Za-z0-9]+$/, "a project id prj_…", {
  source: `${D}/project.d.ts`,
  fix: "pass the Project resource's id",
});

export const DEPLOYMENT_PROTECTION = [
  "standardProtectionNew",
  "standardProtection",
  "allDeployments",
  "onlyPreviewDeployments",
  "none",
] as const;

const FIREWALL_SOURCE = `${TF}/resource_firewall_config.go`;
const CONDITION_TYPES = [
  "host",
  "path",
  "method",
  "header",
  "query",
  "cookie",
  "target_path",
  "ip_address",
  "region",
  "protocol",
  "scheme",
  "environment",
  "user_agent",
  "geo_continent",
  "geo_country",
  "geo_country_region",
  "geo_city",
  "geo_as_number",
  "rate_limit_api_id",
] as const;
const CONDITION_OPS = [
  "re",
  "eq",
  "neq",
  "ex",
  "nex",
  "inc",
  "ninc",
  "pre",
  "suf",
  "sub",
  "gt",
  "gte",
  "lt",
  "lte",
] as const;
const R = "rules.rules[]";

export const vercel: Record<string, TypeEntry> = {
  "vercel:index/project:Project": {
    source: `${D}/project.d.ts`,
    args: {
      name: [
        pattern(PROJECT_NAME, "1–52 characters: a-z, 0-9 and '-'", {
          source: `${TF}/resource_project.go`,
          fix: "project names come from components/naming.ts (ara-<stack>-web): keep the stack name lowercase and short",
        }),
      ],
      nodeVersion: [
        oneOf(["18.x", "20.x", "22.x", "24.x"], {
          source: `${TF}/resource_project.go`,
          fix: 'use a supported Node.js line such as "22.x"',
        }),
      ],
      "resourceConfig.functionDefaultRegions[]": [vercelRegion],
      "resourceConfig.functionDefaultTimeout": [
        range(1, 900, {
          source: `${TF}/resource_project.go`,
          fix: "keep the function timeout from 1 to 900 s",
        }),
      ],
      "vercelAuthentication.deploymentType": [
        oneOf(DEPLOYMENT_PROTECTION, {
          source: `${D}/types/input.d.ts (ProjectVercelAuthentication)`,
          fix: "set ara:app.deploymentProtection to a camelCase value the provider lists",
        }),
      ],
    },
  },
  "vercel:index/projectDomain:ProjectDomain": {
    source: `${D}/projectDomain.d.ts`,
    args: {
      domain: [
        hostname({
          source: "https://vercel.com/docs/domains/add-a-domain",
          fix: "the domain is app.<ara:domain>: set ara:domain to a lowercase DNS name",
        }),
      ],
      projectId: [projectId],
    },
  },
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": {
    source: `${D}/projectEnvironmentVariable.d.ts`,
    args: {
      projectId: [projectId],
      key: [
        pattern(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and '_', not starting with a digit", {
          source: "https://vercel.com/docs/environment-variables#environment-variable-name",
          fix: "rename the variable in components/web-app and the app together",
        }),
      ],
      "targets[]": [
        oneOf(["production", "preview", "development"], {
          source: `${TF}/resource_project_environment_variable.go`,
          fix: "use production, preview or development",
        }),
      ],
      value: [
        maxBytes(65_536, "at most 64 KB", {
          source: "https://vercel.com/docs/environment-variables#environment-variable-size",
          fix: "keep each value under 64 KB",
        }),
      ],
    },
    relations: [
      {
        arg: "sensitive",
        rule: "a sensitive variable cannot target development",
        source: `${D}/projectEnvironmentVariable.d.ts`,
        fix: "set sensitive: false for development-only values, or drop the development target",
        test: (i) =>
          i.sensitive === true && Array.isArray(i.targets) && i.targets.includes("development")
            ? "sensitive with a development target"
            : undefined,
      },
      {
        arg: "targets",
        rule: "targets or customEnvironmentIds is set, with at least one entry",
        source: `${TF}/resource_project_environment_variable.go`,
        fix: "list the environments the variable applies to",
        test: (i) =>
          Array.isArray(i.targets) && i.targets.length === 0 && !i.customEnvironmentIds
            ? "targets is empty"
            : undefined,
      },
    ],
  },
  "vercel:index/deployment:Deployment": {
    source: `${D}/deployment.d.ts`,
    args: {
      projectId: [projectId],
      pathPrefix: [
        pattern(/^[^\s]*$/, "a relative path without spaces", {
          source: `${D}/deployment.d.ts`,
          fix: "point pathPrefix at the prebuilt app directory",
        }),
      ],
      files: [
        rule(
          'a non-empty map of path → "size~sha1"',
          {
            source: `${D}/deployment.d.ts`,
            fix: "build the app (npm run build) so getPrebuiltProjectOutput finds files",
          },
          (v) => {
            if (!v || typeof v !== "object") return `${show(v)} is not a map`;
            const entries = Object.entries(v as Record<string, unknown>);
            if (entries.length === 0) return "has no files";
            const bad = entries.find(
              ([, s]) => typeof s !== "string" || !/^\d+~[0-9a-f]{40}$/.test(s),
            );
            return bad ? `${show(bad[0])} has ${show(bad[1])}, not "size~sha1"` : undefined;
          },
        ),
      ],
    },
  },
  "vercel:index/firewallConfig:FirewallConfig": {
    source: `${D}/firewallConfig.d.ts`,
    args: {
      projectId: [projectId],
      [`${R}.name`]: [
        length(1, 160, { source: FIREWALL_SOURCE, fix: "name each rule (≤ 160 characters)" }),
      ],
      [`${R}.description`]: [
        length(0, 260, { source: FIREWALL_SOURCE, fix: "keep rule descriptions ≤ 260 characters" }),
      ],
      [`${R}.action.action`]: [
        oneOf(["bypass", "log", "challenge", "deny", "rate_limit", "redirect"], {
          source: FIREWALL_SOURCE,
          fix: "use a lowercase firewall action",
        }),
      ],
      [`${R}.action.actionDuration`]: [
        duration(
          { s: 1, m: 60, h: 3600, d: 86_400 },
          1,
          86_400,
          {
            source:
              "https://vercel.com/docs/vercel-firewall/vercel-waf/custom-rules#persistent-actions",
            fix: 'write the duration as <n>s|m|h|d, e.g. "5m", at most a day',
          },
          "a duration such as 5m or 1h, at most 1d",
        ),
      ],
      [`${R}.action.rateLimit.action`]: [
        oneOf(["bypass", "log", "challenge", "deny", "rate_limit"], {
          source: FIREWALL_SOURCE,
          fix: 'use "deny" to refuse requests over the limit',
        }),
      ],
      [`${R}.action.rateLimit.algo`]: [
        oneOf(["fixed_window", "token_bucket"], {
          source: "https://vercel.com/docs/vercel-firewall/vercel-waf/rate-limiting",
          fix: 'use "fixed_window"',
        }),
      ],
      [`${R}.action.rateLimit.window`]: [
        range(10, 3600, {
          source: "https://vercel.com/docs/vercel-firewall/vercel-waf/rate-limiting#limits",
          fix: "set ara:app.firewallRateLimit.windowSeconds from 10 to 3600",
        }),
      ],
      [`${R}.action.rateLimit.limit`]: [
        range(1, 10_000_000, {
          source: "https://vercel.com/docs/vercel-firewall/vercel-waf/rate-limiting#limits",
          fix: "set the request limit to 1 or more",
        }),
      ],
      [`${R}.action.rateLimit.keys[]`]: [
        pattern(
          /^(ip|ja4|ja3|user_agent|header:[A-Za-z0-9-]+)$/,
          "ip, ja4, user_agent or header:<name>",
          {
            source: "https://vercel.com/docs/vercel-firewall/vercel-waf/rate-limiting",
            fix: 'count per "ip"',
          },
        ),
      ],
      [`${R}.conditionGroups[].conditions[].type`]: [
        oneOf(CONDITION_TYPES, {
          source: FIREWALL_SOURCE,
          fix: "use a condition type the firewall knows",
        }),
      ],
      [`${R}.conditionGroups[].conditions[].op`]: [
        oneOf(CONDITION_OPS, {
          source: FIREWALL_SOURCE,
          fix: "use a condition operator the firewall knows",
        }),
      ],
    },
  },
};
