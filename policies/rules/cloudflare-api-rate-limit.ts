import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, asString, label, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export interface EdgeRateLimitConfig {
  maxRequestsPerMinute?: number;
  /** Text the rule's expression must contain, e.g. a path prefix. */
  expressionIncludes?: string;
}

const BLOCKING = ["block", "managed_challenge", "challenge", "js_challenge"];

export const meta: RuleMeta = {
  name: "cloudflare-api-rate-limit",
  description:
    "The zone must have an http_ratelimit ruleset with an enabled per-IP rule at or below the configured requests per minute.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Keep the Ruleset (kind zone, phase http_ratelimit) in components/edge with a blocking rule whose ratelimit counts ip.src; tune ara:edge.apiRateLimit.",
  configSchema: {
    properties: {
      maxRequestsPerMinute: { type: "number", minimum: 1, default: 100 },
      expressionIncludes: { type: "string" },
    },
  },
};

/** Requests per minute a rule allows, or undefined if it does not rate-limit per IP. */
export function edgeRuleRate(rule: Record<string, unknown>): number | undefined {
  const rl = asObject(rule.ratelimit);
  if (!rl) return undefined;
  const perIp = asArray(rl.characteristics).includes("ip.src");
  const period = rl.period;
  const n = rl.requestsPerPeriod;
  if (!perIp || typeof period !== "number" || typeof n !== "number" || period <= 0)
    return undefined;
  return (n * 60) / period;
}

/**
 * Requirement (docs/architecture.md) "Rate Limiting: API 100 requests/minute per IP", at the edge. A Free zone only
 * allows 10-second periods, so dev's config allows 17 per 10 s (102/min).
 * @severity high
 */
export function cloudflareApiRateLimit(): StackValidationPolicy {
  return stackRule<EdgeRateLimitConfig>(meta, (args, report, config) => {
    const max = config.maxRequestsPerMinute ?? 100;
    const rulesets = args.resources.filter(
      (r) => r.type === T.ruleset && r.props.phase === "http_ratelimit",
    );
    if (rulesets.length === 0) {
      report("The stack has no Cloudflare Ruleset in phase http_ratelimit.");
      return;
    }
    const rates: string[] = [];
    for (const rs of rulesets) {
      for (const raw of asArray(rs.props.rules)) {
        const rule = asObject(raw);
        if (!rule || rule.enabled === false || !BLOCKING.includes(asString(rule.action) ?? ""))
          continue;
        if (
          config.expressionIncludes &&
          !(asString(rule.expression) ?? "").includes(config.expressionIncludes)
        )
          continue;
        const rate = edgeRuleRate(rule);
        if (rate === undefined) continue;
        if (rate <= max) return;
        rates.push(`${label(rs)}: ${rate.toFixed(0)}/min`);
      }
    }
    report(
      rates.length
        ? `No enabled per-IP rule is at or below ${max} requests/minute (found ${rates.join(", ")}).`
        : `No enabled blocking rule rate-limits per IP (ip.src)${config.expressionIncludes ? ` on expressions containing "${config.expressionIncludes}"` : ""}.`,
    );
  });
}
