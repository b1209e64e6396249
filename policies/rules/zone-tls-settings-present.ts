import type { StackValidationPolicy } from "@pulumi/policy";
import { asString, stackRule, whenKnown, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { settingId, TLS_SETTING_IDS } from "../lib/zone-settings";

const ZONE_SCOPED = new Set<string>([
  T.zoneSetting,
  T.dnsRecord,
  T.ruleset,
  T.workersRoute,
  T.healthcheck,
]);

export const meta: RuleMeta = {
  name: "zone-tls-settings-present",
  description:
    "Every zone the stack serves from must declare min_tls_version, tls_1_3, always_use_https, ssl and security_header.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Add the missing cloudflare.ZoneSetting resources in components/edge; an undeclared setting keeps whatever the zone has (TLS 1.0 and no HSTS on a new zone).",
};

/**
 * The value policies (zone-min-tls-version, zone-hsts, ...) only see settings that exist; this
 * one catches a setting that was never declared.
 * @severity high
 */
export function zoneTlsSettingsPresent(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const zones = new Map<string, Set<string>>();
    for (const r of args.resources) {
      if (!ZONE_SCOPED.has(r.type)) continue;
      const zone = whenKnown(() => asString(r.props.zoneId));
      if (!zone) continue;
      const declared = zones.get(zone) ?? new Set<string>();
      zones.set(zone, declared);
      if (r.type === T.zoneSetting) {
        const id = settingId(r.props);
        if (id) declared.add(id);
      }
    }
    if (zones.size === 0) args.notApplicable("the stack has no zone-scoped resources");
    for (const [zone, declared] of zones) {
      const missing = TLS_SETTING_IDS.filter((id) => !declared.has(id));
      if (missing.length > 0) {
        report(`Zone ${zone} does not declare ${missing.join(", ")}.`);
      }
    }
  });
}
