import { asObject, asString } from "./define";

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

/** "1.2" → 1.2; anything else → NaN. */
export function tlsVersion(v: unknown): number {
  return typeof v === "string" && /^1\.[0-3]$/.test(v) ? Number(v) : NaN;
}

export function hsts(value: unknown): Record<string, unknown> | undefined {
  return asObject(asObject(value)?.strict_transport_security);
}
