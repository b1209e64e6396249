import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { ContextSource } from "../context";
import { resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { settingId, tlsVersion } from "../lib/zone-settings";

export interface MinTlsConfig {
  /** The floor for every stack; a stack's ara:edge.minTlsVersion can only raise it. */
  minTlsVersion?: "1.2" | "1.3";
}

export const meta: RuleMeta = {
  name: "zone-min-tls-version",
  description:
    "The zone's minimum TLS version must be at least 1.2, and at least the stack's ara:edge.minTlsVersion.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Set the min_tls_version ZoneSetting's value to the required version (components/edge reads ara:edge.minTlsVersion).",
  configSchema: {
    properties: { minTlsVersion: { type: "string", enum: ["1.2", "1.3"], default: "1.2" } },
  },
};

/**
 * Requirement (docs/architecture.md) "TLS 1.3 for all connections": TLS 1.0/1.1 are refused at the edge; a stack that
 * sets ara:edge.minTlsVersion "1.3" gets a 1.3-only edge and this policy holds it there.
 * @severity high
 */
export function zoneMinTlsVersion(context: ContextSource): ResourceValidationPolicy {
  return resourceRule<MinTlsConfig>(meta, T.zoneSetting, (args, report, config) => {
    if (settingId(args.props) !== "min_tls_version") return;
    const floor = tlsVersion(config.minTlsVersion ?? "1.2");
    const fromStack = tlsVersion(context().config?.edge.minTlsVersion);
    const required = Number.isNaN(fromStack) ? floor : Math.max(floor, fromStack);
    const actual = tlsVersion(args.props.value);
    if (Number.isNaN(actual) || actual < required) {
      report(
        `min_tls_version is ${JSON.stringify(args.props.value)}; the required minimum is "${required.toFixed(1)}".`,
        `Set the ZoneSetting's value to "${required.toFixed(1)}" (ara:edge.minTlsVersion drives it).`,
      );
    }
  });
}
