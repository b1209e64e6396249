import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label, resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "upstash-encryption-at-rest",
  description:
    "Upstash Redis databases holding production data must have the Prod Pack, which adds encryption at rest.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Set ara:cache.prodPack to true ($200/month per database, in the cost estimate); the prod preset does.",
};

/**
 * Requirement (docs/architecture.md) "AES-256 for data at rest": Upstash encrypts data at rest only with the Prod Pack
 * (upstash/docs redis/overall/enterprise.mdx). Refresh tokens live in this cache.
 * @severity high
 */
export function upstashEncryptionAtRest(): ResourceValidationPolicy {
  return resourceRule(meta, T.upstashRedis, (args, report) => {
    if (args.props.prodPack !== true) {
      report(`${label(args)} has no Prod Pack, so its data is not encrypted at rest.`);
    }
  });
}
