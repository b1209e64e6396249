import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label, resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "upstash-tls-enabled",
  description: "Upstash Redis databases must have TLS explicitly enabled.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Set `tls: true` on the upstash.RedisDatabase (components/cache) and connect with a rediss:// URL.",
};

/**
 * Requirement (docs/architecture.md) "TLS: Enabled" (Upstash) and "TLS 1.3 for all connections". Upstash enables TLS
 * on new databases by default; pinning `tls: true` keeps an imported or older database from
 * silently serving plain text.
 * @severity high
 */
export function upstashTlsEnabled(): ResourceValidationPolicy {
  return resourceRule(meta, T.upstashRedis, (args, report) => {
    if (args.props.tls !== true) {
      report(`${label(args)} has tls = ${JSON.stringify(args.props.tls ?? null)}.`);
    }
  });
}
