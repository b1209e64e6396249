import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleMeta } from "../lib/define";
import { zoneSettingRule } from "../lib/zone-settings";

export const meta: RuleMeta = {
  name: "zone-always-use-https",
  description:
    'The edge must redirect every plain-HTTP request to HTTPS (always_use_https = "on").',
  enforcementLevel: "mandatory",
  severity: "high",
  remediation: 'Set the always_use_https ZoneSetting\'s value to "on" in components/edge.',
};

/**
 * Requirement (docs/architecture.md) "Encryption in transit": no page or API response is ever served over plain HTTP.
 * @severity high
 */
export function zoneAlwaysUseHttps(): ResourceValidationPolicy {
  return zoneSettingRule(meta, "always_use_https", "on");
}
