import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { settingId } from "../lib/zone-settings";

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
  return resourceRule(meta, T.zoneSetting, (args, report) => {
    if (settingId(args.props) !== "always_use_https") return;
    if (args.props.value !== "on") {
      report(`always_use_https is ${JSON.stringify(args.props.value)}, not "on".`);
    }
  });
}
