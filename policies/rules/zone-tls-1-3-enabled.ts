import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RuleMeta } from "../lib/define";
import { zoneSettingRule } from "../lib/zone-settings";

export const meta: RuleMeta = {
  name: "zone-tls-1-3-enabled",
  description: 'TLS 1.3 must be on at the edge (zone setting tls_1_3 = "on").',
  enforcementLevel: "mandatory",
  severity: "high",
  remediation: 'Set the tls_1_3 ZoneSetting\'s value to "on" in components/edge.',
};

/**
 * Requirement (docs/architecture.md) "TLS 1.3 for all connections". "zrt" (TLS 1.3 with 0-RTT) is refused too: 0-RTT
 * data can be replayed, and the API's POST endpoints are not idempotent.
 * @severity high
 */
export function zoneTls13Enabled(): ResourceValidationPolicy {
  return zoneSettingRule(meta, "tls_1_3", "on");
}
