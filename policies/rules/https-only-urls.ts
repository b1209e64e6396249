import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, asString, label, resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { CONFIG_VALUE_TYPES, configValues, isLoopbackUrl } from "../lib/config-values";

export interface HttpsOnlyConfig {
  /** Allow http://localhost URLs (local development only). */
  allowLoopback?: boolean;
}

export const meta: RuleMeta = {
  name: "https-only-urls",
  description:
    "App and worker URLs, CORS origins, health checks and alert webhooks must use HTTPS.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Use https:// URLs (the signer is https://api.<domain>, the app https://app.<domain>); set health checks to type HTTPS without allowInsecure.",
  configSchema: { properties: { allowLoopback: { type: "boolean", default: false } } },
};

const URL_KEY = /(_URL|_URI|_ORIGIN|_ENDPOINT|_HOST_URL)$/i;
const OTHER_SCHEMES = /^(postgres(ql)?|rediss?):\/\//i;

/**
 * Requirement (docs/architecture.md) "Encryption in transit" for every leg the program configures: the app's
 * SIGNER_URL and similar settings, R2 CORS origins, Cloudflare health checks (type defaults to
 * HTTP), notification webhooks, SNS subscriptions and worker routes.
 * @severity high
 */
export function httpsOnlyUrls(): ResourceValidationPolicy {
  const types = [
    ...CONFIG_VALUE_TYPES,
    T.healthcheck,
    T.notificationWebhooks,
    T.r2Cors,
    T.workersRoute,
    T.snsSubscription,
  ];
  return resourceRule<HttpsOnlyConfig>(meta, types, (args, report, config) => {
    const p = args.props;
    const insecure = (url: string) =>
      /^http:\/\//i.test(url) && !(config.allowLoopback && isLoopbackUrl(url));
    for (const { where, key, value } of configValues(args)) {
      if (insecure(value)) {
        report(`${label(args)} ${where} is a plain http:// URL.`);
      } else if (
        URL_KEY.test(key) &&
        !/^https:\/\//i.test(value) &&
        !OTHER_SCHEMES.test(value) &&
        !(config.allowLoopback && isLoopbackUrl(value))
      ) {
        report(`${label(args)} ${where} must be an https:// URL.`);
      }
    }
    switch (args.type) {
      case T.healthcheck:
        if (p.type !== "HTTPS") {
          report(
            `${label(args)} has type ${JSON.stringify(p.type ?? "HTTP (default)")}.`,
            'Set type: "HTTPS".',
          );
        }
        if (asObject(p.httpConfig)?.allowInsecure === true) {
          report(
            `${label(args)} accepts invalid certificates (httpConfig.allowInsecure).`,
            "Remove allowInsecure.",
          );
        }
        break;
      case T.notificationWebhooks: {
        const url = asString(p.url);
        if (url !== undefined && !/^https:\/\//i.test(url))
          report(`${label(args)} posts to a non-HTTPS URL.`);
        break;
      }
      case T.r2Cors:
        for (const rule of asArray(p.rules)) {
          for (const origin of asArray(asObject(asObject(rule)?.allowed)?.origins)) {
            if (typeof origin === "string" && insecure(origin)) {
              report(`${label(args)} allows the plain-HTTP origin ${origin}.`);
            }
          }
        }
        break;
      case T.workersRoute: {
        const pattern = asString(p.pattern);
        if (pattern !== undefined && /^http:\/\//i.test(pattern))
          report(`${label(args)} routes plain HTTP (${pattern}).`);
        break;
      }
      case T.snsSubscription:
        if (p.protocol === "http")
          report(
            `${label(args)} delivers alerts over plain HTTP.`,
            'Use protocol "https" (or email).',
          );
        break;
    }
  });
}
