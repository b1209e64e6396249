import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asObject, resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { hsts, settingId } from "../lib/zone-settings";

export interface HstsConfig {
  minMaxAgeSeconds?: number;
  requireIncludeSubdomains?: boolean;
}

export const ONE_YEAR_SECONDS = 31_536_000;

export const meta: RuleMeta = {
  name: "zone-hsts",
  description:
    "The edge must send HSTS (security_header.strict_transport_security enabled) with max_age of at least one year.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediation:
    "Set the security_header ZoneSetting's value to { strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, nosniff: true } } (snake_case keys) in components/edge; ara:edge.hsts drives it.",
  configSchema: {
    properties: {
      minMaxAgeSeconds: { type: "integer", minimum: 0, default: ONE_YEAR_SECONDS },
      requireIncludeSubdomains: { type: "boolean", default: false },
    },
  },
};

/**
 * Requirement (docs/architecture.md) "Secure headers (HSTS, CSP, etc.)". A year is the minimum the HSTS preload list
 * accepts. camelCase keys (the provider docs' example) are reported: Cloudflare ignores them
 * and the setting never converges (pulumi/pulumi-cloudflare#1579).
 * @severity medium
 */
export function zoneHsts(): ResourceValidationPolicy {
  return resourceRule<HstsConfig>(meta, T.zoneSetting, (args, report, config) => {
    if (settingId(args.props) !== "security_header") return;
    const value = asObject(args.props.value);
    if (value && "strictTransportSecurity" in value) {
      report(
        "security_header uses the camelCase key strictTransportSecurity; Cloudflare expects snake_case and the setting never converges.",
        "Rename the keys to strict_transport_security, max_age, include_subdomains.",
      );
      return;
    }
    const sts = hsts(args.props.value);
    const minAge = config.minMaxAgeSeconds ?? ONE_YEAR_SECONDS;
    if (!sts || sts.enabled !== true) {
      report("security_header.strict_transport_security is missing or not enabled.");
      return;
    }
    if (typeof sts.max_age !== "number" || sts.max_age < minAge) {
      report(
        `HSTS max_age is ${JSON.stringify(sts.max_age ?? null)}; at least ${minAge} seconds is required.`,
      );
    }
    if (config.requireIncludeSubdomains && sts.include_subdomains !== true) {
      report("HSTS include_subdomains is not on; this environment requires it.");
    }
  });
}
