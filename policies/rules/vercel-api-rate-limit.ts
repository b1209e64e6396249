import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, asString, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export interface AppRateLimitConfig {
  maxRequestsPerMinute?: number;
  pathPrefix?: string;
}

export const meta: RuleMeta = {
  name: "vercel-api-rate-limit",
  description:
    "Each Vercel project must have an enabled firewall with an active per-IP rate_limit rule on the API path.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    'Keep the vercel.FirewallConfig in components/app with a rule { action: { action: "rate_limit", rateLimit: { limit, window, keys: ["ip"] } }, conditions: [{ type: "path", op: "pre", value: "/api" }] }; tune ara:app.firewallRateLimit.',
  configSchema: {
    properties: {
      maxRequestsPerMinute: { type: "number", minimum: 1, default: 100 },
      pathPrefix: { type: "string", default: "/api" },
    },
  },
};

function coversPath(rule: Record<string, unknown>, prefix: string): boolean {
  return asArray(rule.conditionGroups).some((g) =>
    asArray(asObject(g)?.conditions).some((c) => {
      const o = asObject(c);
      const value = asString(o?.value) ?? "";
      return (
        o?.type === "path" &&
        o.neg !== true &&
        ((o.op === "pre" && prefix.startsWith(value) && value !== "") ||
          (o.op === "eq" && value === prefix))
      );
    }),
  );
}

/**
 * Requirement (docs/architecture.md) "Rate Limiting: API 100 requests/minute per IP", in depth behind the edge: the app's
 * /api is reachable on Vercel's own domains too, where the Cloudflare rule does not apply.
 * @severity high
 */
export function vercelApiRateLimit(): StackValidationPolicy {
  return stackRule<AppRateLimitConfig>(meta, (args, report, config) => {
    const max = config.maxRequestsPerMinute ?? 100;
    const prefix = config.pathPrefix ?? "/api";
    const projects = args.resources.filter((r) => r.type === T.vercelProject);
    if (projects.length === 0) args.notApplicable("the stack has no Vercel project");
    const firewalls = args.resources.filter(
      (r) => r.type === T.vercelFirewall && r.props.enabled !== false,
    );
    for (const project of projects) {
      const mine = firewalls.filter(
        (f) => f.dependencies.some((d) => d.urn === project.urn) || projects.length === 1,
      );
      const ok = mine.some((f) =>
        asArray(asObject(f.props.rules)?.rules).some((raw) => {
          const rule = asObject(raw);
          const action = asObject(rule?.action);
          const rl = asObject(action?.rateLimit);
          if (!rule || rule.active === false || action?.action !== "rate_limit" || !rl)
            return false;
          const perIp = asArray(rl.keys).includes("ip");
          const limit = rl.limit;
          const window = rl.window;
          if (!perIp || typeof limit !== "number" || typeof window !== "number" || window <= 0)
            return false;
          return (limit * 60) / window <= max && coversPath(rule, prefix);
        }),
      );
      if (!ok) {
        report(
          `Vercel project '${project.name}' has no enabled firewall rule limiting ${prefix} to ${max} requests/minute per IP${mine.length === 0 ? " (no FirewallConfig at all)" : ""}.`,
        );
      }
    }
  });
}
