import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asObject, asString, resourceRule, type RuleMeta } from "./define";
import { T } from "./types";

/** The zone settings our TLS policies require, by Cloudflare API id. */
export const TLS_SETTING_IDS = [
  "min_tls_version",
  "tls_1_3",
  "always_use_https",
  "ssl",
  "security_header",
] as const;

export function settingId(props: Record<string, unknown>): string | undefined {
  return asString(props.settingId);
}

/** The rule that zone setting `id`, wherever the stack declares it, has the value `expected`. */
export function zoneSettingRule(
  meta: RuleMeta,
  id: string,
  expected: string,
): ResourceValidationPolicy {
  return resourceRule(meta, T.zoneSetting, (args, report) => {
    if (settingId(args.props) !== id) return;
    if (args.props.value !== expected) {
      report(`${id} is ${JSON.stringify(args.props.value)}, not "${expected}".`);
    }
  });
}

/** "1.2" → 1.2; anything else → NaN. */
export function tlsVersion(v: unknown): number {
  return typeof v === "string" && /^1\.[0-3]$/.test(v) ? Number(v) : NaN;
}

export function hsts(value: unknown): Record<string, unknown> | undefined {
  return asObject(asObject(value)?.strict_transport_security);
}
