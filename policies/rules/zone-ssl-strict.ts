import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleMeta } from "../lib/define";
import { zoneSettingRule } from "../lib/zone-settings";

export const meta: RuleMeta = {
  name: "zone-ssl-strict",
  description:
    'The edge must reach origins over TLS with certificate validation (zone setting ssl = "strict").',
  enforcementLevel: "mandatory",
  severity: "high",
  remediation: 'Set the ssl ZoneSetting\'s value to "strict" (Full (strict)) in components/edge.',
};

/**
 * Requirement (docs/architecture.md) "Encryption in transit": "flexible" sends traffic to the origin in plain text and
 * "full" accepts any certificate; only "strict" keeps the edge-to-origin leg authenticated.
 * @severity high
 */
export function zoneSslStrict(): ResourceValidationPolicy {
  return zoneSettingRule(meta, "ssl", "strict");
}
