import {
  HOSTNAME,
  email,
  isIpv4,
  isIpv6,
  isoDate,
  length,
  maxBytes,
  oneOf,
  pattern,
  range,
  rangeBy,
  rule,
  show,
  type ArgRule,
  type CloudflarePlan,
  type RuleContext,
  type TypeEntry,
} from "../rule";

/**
 * Cloudflare's argument rules. Enumerations come from the provider's `.d.ts` ("Available
 * values", which the typings leave as plain strings); names, ranges and plan limits from
 * Cloudflare's API and product docs, which the provider passes through unchecked.
 */

const D = "node_modules/@pulumi/cloudflare";
const API = "https://developers.cloudflare.com/api";

const hex32 = (what: string, fix: string): ArgRule =>
  pattern(/^[0-9a-f]{32}$/, `a 32-character lowercase hex ${what}`, {
    source: `${API}/resources/accounts/`,
    fix,
  });

const accountId = hex32(
  "account ID",
  "set ara:cloudflareAccountId to the account's 32-hex ID (dashboard → Overview)",
);
const zoneId = hex32(
  "zone ID",
  "set ara:cloudflareZoneId to the zone's 32-hex ID (dashboard → Overview)",
);
const queueId = hex32("queue ID", "pass the Queue resource's queueId output, not its name");

// ---- plans -----------------------------------------------------------------------------

const PLAN_ORDER: readonly CloudflarePlan[] = ["free", "pro", "business", "enterprise"];

/** The zone's plan from stack config; unknown (no config) is judged as Free, the strictest. */
export function planOf(ctx: RuleContext): CloudflarePlan {
  return ctx.config?.edge.cloudflarePlan ?? "free";
}

export const atLeast = (ctx: RuleContext, p: CloudflarePlan) =>
  PLAN_ORDER.indexOf(planOf(ctx)) >= PLAN_ORDER.indexOf(p);

const RATE_LIMIT_SOURCE = "https://developers.cloudflare.com/waf/rate-limiting-rules/#availability";

/**
 * Rate-limiting rule periods and mitigation timeouts each plan accepts (Cloudflare's
 * availability table). The stack schema applies the same table to edge.apiRateLimit.
 */
export const RATE_LIMIT_PLAN_LIMITS: Readonly<
  Record<
    CloudflarePlan,
    {
      periods: readonly number[];
      maxMitigationTimeout: number;
      mitigationTimeouts: readonly number[];
    }
  >
> = {
  free: { periods: [10], maxMitigationTimeout: 10, mitigationTimeouts: [10] },
  pro: {
    periods: [10, 60],
    maxMitigationTimeout: 3600,
    mitigationTimeouts: [10, 60, 120, 300, 600, 3600],
  },
  business: {
    periods: [10, 60, 600],
    maxMitigationTimeout: 86400,
    mitigationTimeouts: [10, 60, 120, 300, 600, 3600, 86400],
  },
  enterprise: {
    periods: [10, 60, 120, 300, 600, 3600],
    maxMitigationTimeout: 86400,
    mitigationTimeouts: [0, 10, 60, 120, 300, 600, 3600, 86400],
  },
};

export const ratelimitPeriod = rangeBy(
  "a period the zone's plan allows (Free 10 s; Pro 10, 60; Business 10, 60, 600; Enterprise up to 3600)",
  {
    source: RATE_LIMIT_SOURCE,
    fix: "set ara:edge.apiRateLimit.periodSeconds to a period the zone's plan (ara:edge.cloudflarePlan) allows, or upgrade the zone",
  },
  (ctx) => {
    const l = RATE_LIMIT_PLAN_LIMITS[planOf(ctx)];
    return { min: 0, max: Infinity, values: l.periods, why: `${planOf(ctx)} plan` };
  },
);

export const ratelimitMitigationTimeout = rangeBy(
  "a mitigation timeout the zone's plan allows (Free 10 s; Pro up to 1 h; Business and Enterprise up to 1 day)",
  {
    source: RATE_LIMIT_SOURCE,
    fix: "set ara:edge.apiRateLimit.mitigationTimeoutSeconds to a timeout the zone's plan allows",
  },
  (ctx) => {
    const l = RATE_LIMIT_PLAN_LIMITS[planOf(ctx)];
    return {
      min: 0,
      max: l.maxMitigationTimeout,
      values: l.mitigationTimeouts,
      why: `${planOf(ctx)} plan`,
    };
  },
);

/** Health-check minimum interval per plan; standalone health checks need Pro or better. */
export const HEALTHCHECK_MIN_INTERVAL: Readonly<Record<CloudflarePlan, number | null>> = {
  free: null,
  pro: 60,
  business: 15,
  enterprise: 10,
};
const HEALTHCHECK_SOURCE = "https://developers.cloudflare.com/health-checks/#availability";

export const healthcheckInterval = rangeBy(
  "seconds between checks, from the plan's minimum (Pro 60, Business 15, Enterprise 10) to 3600",
  {
    source: HEALTHCHECK_SOURCE,
    fix: "set ara:monitoring.healthChecks.intervalSeconds within the zone plan's range, or disable health checks on a Free zone",
  },
  (ctx) => {
    const min = HEALTHCHECK_MIN_INTERVAL[planOf(ctx)];
    return min === null
      ? { min: Infinity, max: -Infinity, why: "standalone health checks need a Pro zone or better" }
      : { min, max: 3600, why: `${planOf(ctx)} plan` };
  },
);

// ---- names -------------------------------------------------------------------------------

export const R2_BUCKET_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;
const r2BucketName = pattern(
  R2_BUCKET_NAME,
  "3–63 characters: a-z, 0-9 and '-', starting and ending with a letter or digit",
  {
    source: "https://developers.cloudflare.com/r2/buckets/create-buckets/#bucket-level-operations",
    fix: "R2 bucket names come from components/naming.ts (ara-<stack>-reports): keep the stack name lowercase and short",
  },
);

export const WORKER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const workerName = pattern(
  WORKER_NAME,
  "1–63 characters: a-z, 0-9 and '-', not starting or ending with '-'",
  {
    source: "https://developers.cloudflare.com/workers/wrangler/configuration/#inheritable-keys",
    fix: "Worker names come from components/naming.ts (ara-<stack>-signer): keep them lowercase, ≤ 63 characters",
  },
);

export const QUEUE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const queueName = pattern(
  QUEUE_NAME,
  "1–63 characters: a-z, 0-9 and '-', not starting or ending with '-'",
  {
    source: "https://developers.cloudflare.com/queues/platform/limits/",
    fix: "queue names come from components/naming.ts: keep them lowercase, ≤ 63 characters",
  },
);

export const R2_LOCATIONS = ["apac", "eeur", "enam", "weur", "wnam", "oc"] as const;
export const r2Location = oneOf(R2_LOCATIONS, {
  source: `${D}/r2bucket.d.ts`,
  fix: "set ara:storage.location to a lowercase R2 location hint (apac, eeur, enam, weur, wnam, oc)",
});

const jurisdiction = oneOf(["default", "eu", "fedramp", "us"], {
  source: `${D}/r2bucket.d.ts`,
  fix: "use a lowercase jurisdiction",
});

// ---- workers -------------------------------------------------------------------------------

const BINDING_TYPES = [
  "ai",
  "ai_search",
  "analytics_engine",
  "assets",
  "browser",
  "d1",
  "data_blob",
  "dispatch_namespace",
  "durable_object_namespace",
  "hyperdrive",
  "inherit",
  "images",
  "json",
  "kv_namespace",
  "mtls_certificate",
  "plain_text",
  "pipelines",
  "queue",
  "ratelimit",
  "r2_bucket",
  "secret_text",
  "send_email",
  "service",
  "text_blob",
  "vectorize",
  "version_metadata",
  "secrets_store_secret",
  "secret_key",
  "workflow",
  "wasm_module",
  "vpc_service",
] as const;

const sampling = (fix: string) =>
  range(
    0,
    1,
    { source: `${D}/workersScript.d.ts`, fix },
    { integer: false, text: "a sampling rate from 0 to 1" },
  );

// ---- zone settings --------------------------------------------------------------------------

const ON_OFF = ["on", "off"] as const;
/**
 * Setting ids as the API spells them (snake_case; the .d.ts table prints camelCase, which the
 * API rejects) and the values each accepts. `null` marks object or numeric settings checked
 * elsewhere or not at all.
 */
export const ZONE_SETTINGS: Readonly<Record<string, readonly string[] | null>> = {
  "0rtt": ON_OFF,
  advanced_ddos: ON_OFF,
  always_online: ON_OFF,
  always_use_https: ON_OFF,
  automatic_https_rewrites: ON_OFF,
  brotli: ON_OFF,
  browser_cache_ttl: null,
  browser_check: ON_OFF,
  cache_level: ["aggressive", "basic", "simplified"],
  challenge_ttl: null,
  ciphers: null,
  cname_flattening: ["flatten_at_root", "flatten_all"],
  development_mode: ON_OFF,
  early_hints: ON_OFF,
  edge_cache_ttl: null,
  email_obfuscation: ON_OFF,
  h2_prioritization: ["on", "off", "custom"],
  hotlink_protection: ON_OFF,
  http2: ON_OFF,
  http3: ON_OFF,
  image_resizing: ["on", "off", "open"],
  ip_geolocation: ON_OFF,
  ipv6: ON_OFF,
  max_upload: null,
  min_tls_version: ["1.0", "1.1", "1.2", "1.3"],
  mirage: ON_OFF,
  nel: null,
  opportunistic_encryption: ON_OFF,
  opportunistic_onion: ON_OFF,
  orange_to_orange: ON_OFF,
  origin_error_page_pass_thru: ON_OFF,
  origin_max_http_version: ["1", "2"],
  polish: ["off", "lossless", "lossy"],
  prefetch_preload: ON_OFF,
  privacy_pass: ON_OFF,
  proxy_read_timeout: null,
  pseudo_ipv4: ["off", "add_header", "overwrite_header"],
  response_buffering: ON_OFF,
  rocket_loader: ON_OFF,
  security_header: null,
  security_level: ["off", "essentially_off", "low", "medium", "high", "under_attack"],
  server_side_exclude: ON_OFF,
  sort_query_string_for_cache: ON_OFF,
  ssl: ["off", "flexible", "full", "strict"],
  tls_1_2_only: ON_OFF,
  tls_1_3: ["on", "off", "zrt"],
  tls_client_auth: ON_OFF,
  true_client_ip_header: ON_OFF,
  waf: ON_OFF,
  webp: ON_OFF,
  websockets: ON_OFF,
};
const ZONE_SETTING_SOURCE = `${D}/zoneSetting.d.ts`;
const ONE_YEAR = 31_536_000;

function checkSecurityHeader(value: unknown): string | undefined {
  const sts = (value as { strict_transport_security?: Record<string, unknown> } | null)
    ?.strict_transport_security;
  if (!sts || typeof sts !== "object") {
    return "security_header needs { strict_transport_security: {...} } with snake_case keys";
  }
  const allowed = new Set(["enabled", "max_age", "include_subdomains", "preload", "nosniff"]);
  const odd = Object.keys(sts).find((k) => !allowed.has(k));
  if (odd)
    return `strict_transport_security has key ${show(odd)}; the API takes ${[...allowed].join(", ")}`;
  const age = sts.max_age;
  if (
    age !== undefined &&
    (typeof age !== "number" || !Number.isInteger(age) || age < 0 || age > 86_400 * 365 * 2)
  ) {
    return `max_age ${show(age)} is not whole seconds from 0 to 63072000`;
  }
  // Browsers' preload list refuses (and Cloudflare's dashboard warns about) a preload header
  // without subdomains or with less than a year: the header would promise what the list rejects.
  if (
    sts.preload === true &&
    (sts.include_subdomains !== true || typeof age !== "number" || age < ONE_YEAR)
  ) {
    return "preload needs include_subdomains: true and max_age ≥ 31536000 (one year)";
  }
  return undefined;
}

// ---- notifications ------------------------------------------------------------------------

const ALERT_TYPES = [
  "abuse_report_alert",
  "access_custom_certificate_expiration_type",
  "advanced_ddos_attack_l4_alert",
  "advanced_ddos_attack_l7_alert",
  "advanced_http_alert_error",
  "bgp_hijack_notification",
  "billing_usage_alert",
  "block_notification_block_removed",
  "block_notification_new_block",
  "block_notification_review_rejected",
  "bot_traffic_basic_alert",
  "brand_protection_alert",
  "brand_protection_digest",
  "clickhouse_alert_fw_anomaly",
  "clickhouse_alert_fw_ent_anomaly",
  "cloudforce_one_request_notification",
  "cni_maintenance_notification",
  "custom_analytics",
  "custom_bot_detection_alert",
  "custom_ssl_certificate_event_type",
  "dedicated_ssl_certificate_event_type",
  "device_connectivity_anomaly_alert",
  "dos_attack_l4",
  "dos_attack_l7",
  "expiring_service_token_alert",
  "failing_logpush_job_disabled_alert",
  "fbm_auto_advertisement",
  "fbm_dosd_attack",
  "fbm_volumetric_attack",
  "health_check_status_notification",
  "hostname_aop_custom_certificate_expiration_type",
  "http_alert_edge_error",
  "http_alert_origin_error",
  "image_notification",
  "image_resizing_notification",
  "incident_alert",
  "load_balancing_health_alert",
  "load_balancing_pool_enablement_alert",
  "logo_match_alert",
  "magic_tunnel_health_check_event",
  "magic_wan_tunnel_health",
  "maintenance_event_notification",
  "mtls_certificate_store_certificate_expiration_type",
  "pages_event_alert",
  "radar_notification",
  "real_origin_monitoring",
  "scriptmonitor_alert_new_code_change_detections",
  "scriptmonitor_alert_new_hosts",
  "scriptmonitor_alert_new_malicious_hosts",
  "scriptmonitor_alert_new_malicious_scripts",
  "scriptmonitor_alert_new_malicious_url",
  "scriptmonitor_alert_new_max_length_resource_url",
  "scriptmonitor_alert_new_resources",
  "secondary_dns_all_primaries_failing",
  "secondary_dns_primaries_failing",
  "secondary_dns_warning",
  "secondary_dns_zone_successfully_updated",
  "secondary_dns_zone_validation_warning",
  "security_insights_alert",
  "sentinel_alert",
  "stream_live_notifications",
  "synthetic_test_latency_alert",
  "synthetic_test_low_availability_alert",
  "traffic_anomalies_alert",
  "tunnel_health_event",
  "tunnel_update_event",
  "universal_ssl_event_type",
  "web_analytics_metrics_update",
  "zone_aop_custom_certificate_expiration_type",
] as const;

export const HEALTHCHECK_REGIONS = [
  "WNAM",
  "ENAM",
  "WEU",
  "EEU",
  "NSAM",
  "SSAM",
  "OC",
  "ME",
  "NAF",
  "SAF",
  "IN",
  "SEAS",
  "NEAS",
  "ALL_REGIONS",
] as const;

// ---- DNS -------------------------------------------------------------------------------------

const DNS_TYPES = [
  "A",
  "AAAA",
  "CNAME",
  "MX",
  "NS",
  "OPENPGPKEY",
  "PTR",
  "TXT",
  "CAA",
  "CERT",
  "DNSKEY",
  "DS",
  "HTTPS",
  "LOC",
  "NAPTR",
  "SMIMEA",
  "SRV",
  "SSHFP",
  "SVCB",
  "TLSA",
  "URI",
] as const;
const DNS_SOURCE = `${D}/dnsRecord.d.ts`;

const RULESET_PHASES = [
  "ddos_l4",
  "ddos_l7",
  "http_config_settings",
  "http_custom_errors",
  "http_log_custom_fields",
  "http_ratelimit",
  "http_request_cache_settings",
  "http_request_dynamic_redirect",
  "http_request_firewall_custom",
  "http_request_firewall_managed",
  "http_request_late_transform",
  "http_request_origin",
  "http_request_redirect",
  "http_request_sanitize",
  "http_request_sbfm",
  "http_request_transform",
  "http_response_cache_settings",
  "http_response_compression",
  "http_response_firewall_managed",
  "http_response_headers_transform",
  "magic_transit",
  "magic_transit_ids_managed",
  "magic_transit_managed",
  "magic_transit_ratelimit",
] as const;
const RULESET_ACTIONS = [
  "block",
  "challenge",
  "compress_response",
  "ddos_dynamic",
  "execute",
  "force_connection_close",
  "js_challenge",
  "log",
  "log_custom_field",
  "managed_challenge",
  "redirect",
  "rewrite",
  "route",
  "score",
  "serve_error",
  "set_cache_control",
  "set_cache_settings",
  "set_cache_tags",
  "set_config",
  "skip",
] as const;
/** Actions a rate-limiting rule may take. */
const RATELIMIT_ACTIONS = ["block", "challenge", "js_challenge", "managed_challenge", "log"];

const RULES_SOURCE = `${D}/types/input.d.ts (RulesetRule)`;

export const cloudflare: Record<string, TypeEntry> = {
  "cloudflare:index/r2Bucket:R2Bucket": {
    source: `${D}/r2bucket.d.ts`,
    args: {
      accountId: [accountId],
      name: [r2BucketName],
      location: [r2Location],
      jurisdiction: [jurisdiction],
    },
  },
  "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle": {
    source: `${D}/r2bucketLifecycle.d.ts`,
    args: {
      accountId: [accountId],
      bucketName: [r2BucketName],
      "rules[].id": [
        length(1, 255, {
          source: `${D}/r2bucketLifecycle.d.ts`,
          fix: "give each lifecycle rule a short id",
        }),
      ],
      "rules[].conditions.prefix": [
        rule(
          'a string prefix ("" for every object)',
          { source: `${D}/r2bucketLifecycle.d.ts`, fix: 'use "" for all objects' },
          (v) => (typeof v === "string" ? undefined : `${show(v)} is not a string`),
        ),
      ],
      "rules[].deleteObjectsTransition.condition.type": [
        oneOf(["Age", "Date"], {
          source: `${D}/types/input.d.ts (R2BucketLifecycleRuleDeleteObjectsTransitionCondition)`,
          fix: 'use "Age" with maxAge in seconds',
        }),
      ],
      "rules[].deleteObjectsTransition.condition.maxAge": [
        range(
          86_400,
          3650 * 86_400,
          {
            source: "https://developers.cloudflare.com/r2/buckets/object-lifecycles/",
            fix: "set ara:storage.objectExpiryDays (the component converts days to seconds)",
          },
          {
            text: "whole seconds of at least one day (R2 expires objects by day), at most 10 years",
          },
        ),
      ],
      "rules[].abortMultipartUploadsTransition.condition.type": [
        oneOf(["Age"], {
          source: `${D}/types/input.d.ts (R2BucketLifecycleRuleAbortMultipartUploadsTransitionCondition)`,
          fix: 'multipart aborts only take "Age"',
        }),
      ],
      "rules[].abortMultipartUploadsTransition.condition.maxAge": [
        range(
          86_400,
          30 * 86_400,
          {
            source: "https://developers.cloudflare.com/r2/buckets/object-lifecycles/",
            fix: "set ara:storage.abortMultipartAfterDays from 1 to 30",
          },
          { text: "whole seconds from one day to 30 days" },
        ),
      ],
    },
  },
  "cloudflare:index/r2BucketLock:R2BucketLock": {
    source: `${D}/r2bucketLock.d.ts`,
    args: {
      accountId: [accountId],
      bucketName: [r2BucketName],
      "rules[].id": [
        length(1, 255, { source: `${D}/r2bucketLock.d.ts`, fix: "give each lock rule a short id" }),
      ],
      "rules[].condition.type": [
        oneOf(["Age", "Date", "Indefinite"], {
          source: `${D}/types/input.d.ts (R2BucketLockRuleCondition)`,
          fix: 'use "Age" with maxAgeSeconds',
        }),
      ],
      "rules[].condition.maxAgeSeconds": [
        range(1, 3650 * 86_400, {
          source: "https://developers.cloudflare.com/r2/buckets/bucket-locks/",
          fix: "set ara:storage.lockRetentionDays from 1 to 3650",
        }),
      ],
      "rules[].condition.date": [
        isoDate({
          source: "https://developers.cloudflare.com/r2/buckets/bucket-locks/",
          fix: "use a YYYY-MM-DD date",
        }),
      ],
    },
    relations: [
      {
        arg: "rules",
        rule: 'an "Age" condition has maxAgeSeconds and a "Date" condition has date',
        source: "https://developers.cloudflare.com/r2/buckets/bucket-locks/",
        fix: "pair each condition type with its value in components/storage",
        test: (i) => {
          if (!Array.isArray(i.rules)) return undefined;
          for (const [n, r] of i.rules.entries()) {
            const c = (
              r as { condition?: { type?: string; maxAgeSeconds?: unknown; date?: unknown } }
            ).condition;
            if (c?.type === "Age" && c.maxAgeSeconds === undefined)
              return `rules[${n}] is "Age" without maxAgeSeconds`;
            if (c?.type === "Date" && c.date === undefined)
              return `rules[${n}] is "Date" without date`;
          }
          return undefined;
        },
      },
    ],
  },
  "cloudflare:index/r2BucketCors:R2BucketCors": {
    source: `${D}/r2bucketCors.d.ts`,
    args: {
      accountId: [accountId],
      bucketName: [r2BucketName],
      "rules[].allowed.methods[]": [
        oneOf(["GET", "PUT", "POST", "DELETE", "HEAD"], {
          source:
            "https://developers.cloudflare.com/r2/buckets/cors/#add-cors-policies-from-the-dashboard",
          fix: "use upper-case methods R2 supports",
        }),
      ],
      "rules[].allowed.origins[]": [
        pattern(
          /^(\*|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)$/,
          '"*" or scheme://host[:port], no path or trailing slash',
          {
            source: "https://developers.cloudflare.com/r2/buckets/cors/",
            fix: "derive the origin from ara:domain (https://app.<domain>)",
          },
        ),
      ],
      "rules[].maxAgeSeconds": [
        range(0, 86_400, {
          source: "https://developers.cloudflare.com/r2/buckets/cors/",
          fix: "keep the preflight cache from 0 to 86400 s",
        }),
      ],
    },
  },
  "cloudflare:index/r2BucketEventNotification:R2BucketEventNotification": {
    source: `${D}/r2bucketEventNotification.d.ts`,
    args: {
      accountId: [accountId],
      bucketName: [r2BucketName],
      queueId: [queueId],
      "rules[].actions[]": [
        oneOf(
          [
            "PutObject",
            "CopyObject",
            "DeleteObject",
            "CompleteMultipartUpload",
            "LifecycleDeletion",
          ],
          {
            source: "https://developers.cloudflare.com/r2/buckets/event-notifications/#event-types",
            fix: "use R2's event type names, in PascalCase",
          },
        ),
      ],
    },
  },
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain": {
    source: `${D}/r2managedDomain.d.ts`,
    args: { accountId: [accountId], bucketName: [r2BucketName] },
  },
  "cloudflare:index/queue:Queue": {
    source: `${D}/queue.d.ts`,
    args: { accountId: [accountId], queueName: [queueName] },
  },
  "cloudflare:index/queueConsumer:QueueConsumer": {
    source: `${D}/queueConsumer.d.ts`,
    args: {
      accountId: [accountId],
      queueId: [queueId],
      type: [
        oneOf(["worker", "httpPull", "notification"], {
          source: `${D}/queueConsumer.d.ts`,
          fix: 'use "worker" for a Worker consumer',
        }),
      ],
      scriptName: [workerName],
      deadLetterQueue: [queueName],
      "settings.batchSize": [
        range(1, 100, {
          source: "https://developers.cloudflare.com/queues/platform/limits/",
          fix: "keep batchSize from 1 to 100",
        }),
      ],
      "settings.maxRetries": [
        range(0, 100, {
          source: "https://developers.cloudflare.com/queues/platform/limits/",
          fix: "keep maxRetries from 0 to 100",
        }),
      ],
      "settings.maxWaitTimeMs": [
        range(0, 60_000, {
          source: "https://developers.cloudflare.com/queues/platform/limits/",
          fix: "keep maxWaitTimeMs at most 60000 (60 s)",
        }),
      ],
      "settings.retryDelay": [
        range(0, 43_200, {
          source: "https://developers.cloudflare.com/queues/platform/limits/",
          fix: "keep retryDelay at most 43200 s (12 h)",
        }),
      ],
      "settings.maxConcurrency": [
        range(1, 250, {
          source: "https://developers.cloudflare.com/queues/platform/limits/",
          fix: "keep maxConcurrency from 1 to 250",
        }),
      ],
    },
  },
  "cloudflare:index/workersScript:WorkersScript": {
    source: `${D}/workersScript.d.ts`,
    args: {
      accountId: [accountId],
      scriptName: [workerName],
      compatibilityDate: [
        isoDate(
          {
            source: "https://developers.cloudflare.com/workers/configuration/compatibility-dates/",
            fix: "set compatibilityDate in app/worker/contract.json to a released date, today or earlier",
          },
          { notAfterToday: true },
        ),
      ],
      mainModule: [
        pattern(/^[^/]+\.(m?js)$/, "a module file name ending in .js or .mjs", {
          source: `${D}/workersScript.d.ts`,
          fix: "name the bundle's entry module (contract.json mainModule)",
        }),
      ],
      contentSha256: [
        pattern(/^[0-9a-f]{64}$/, "64 lowercase hex characters (SHA-256)", {
          source: `${D}/workersScript.d.ts`,
          fix: "let components/worker hash the bundle",
        }),
      ],
      "bindings[].type": [
        oneOf(BINDING_TYPES, {
          source: `${D}/types/input.d.ts (WorkersScriptBinding)`,
          fix: "use a binding type the API knows, in snake_case",
        }),
      ],
      "bindings[].name": [
        pattern(
          /^[A-Za-z_$][A-Za-z0-9_$]*$/,
          "a JavaScript identifier (the name is a property of env)",
          {
            source: "https://developers.cloudflare.com/workers/runtime-apis/bindings/",
            fix: "rename the binding in app/worker/contract.json and the component together",
          },
        ),
      ],
      "bindings[].text": [
        maxBytes(5120, "at most 5 KiB (Workers environment variable size limit)", {
          source:
            "https://developers.cloudflare.com/workers/platform/limits/#environment-variables",
          fix: "keep plain_text and secret_text values at most 5 KiB",
        }),
      ],
      "observability.headSamplingRate": [sampling("set ara:worker.logSamplingRate from 0 to 1")],
      "observability.logs.headSamplingRate": [
        sampling("set ara:worker.logSamplingRate from 0 to 1"),
      ],
    },
    relations: [
      {
        arg: "contentSha256",
        rule: "contentFile must be paired with contentSha256",
        source: `${D}/workersScript.d.ts`,
        fix: "set contentSha256 to the bundle's SHA-256 whenever contentFile is set",
        test: (i) =>
          i.contentFile !== undefined && i.contentSha256 === undefined
            ? "contentFile is set without contentSha256"
            : undefined,
      },
    ],
  },
  "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain": {
    source: `${D}/workersScriptSubdomain.d.ts`,
    args: { accountId: [accountId], scriptName: [workerName] },
  },
  "cloudflare:index/workersRoute:WorkersRoute": {
    source: `${D}/workersRoute.d.ts`,
    args: {
      zoneId: [zoneId],
      script: [workerName],
      pattern: [
        pattern(
          /^(\*\.?)?([a-z0-9-]+\.)*[a-z0-9-]+\.[a-z]{2,63}(\/[^\s]*)?$/,
          "host/path with no scheme; '*' only as a host prefix or path suffix",
          {
            source:
              "https://developers.cloudflare.com/workers/configuration/routing/routes/#matching-behavior",
            fix: "write the route as api.<domain>/r2/* (no https://)",
          },
        ),
      ],
    },
  },
  "cloudflare:index/zoneSetting:ZoneSetting": {
    source: ZONE_SETTING_SOURCE,
    args: {
      zoneId: [zoneId],
      settingId: [
        rule(
          "a zone setting id as the API spells it (snake_case)",
          {
            source: `${API}/resources/zones/subresources/settings/methods/edit/`,
            fix: "use the snake_case id, e.g. always_use_https, tls_1_3, security_header",
          },
          (v) =>
            typeof v === "string" && v in ZONE_SETTINGS
              ? undefined
              : `${show(v)} is not a zone setting id`,
        ),
      ],
    },
    relations: [
      {
        arg: "value",
        rule: 'the value is one the setting accepts (on/off settings take "on"|"off"; security_header takes an HSTS object)',
        source: ZONE_SETTING_SOURCE,
        fix: "set the value the setting's row in zoneSetting.d.ts lists (components/edge)",
        test: (i) => {
          if (typeof i.settingId !== "string" || i.value === undefined) return undefined;
          if (i.settingId === "security_header") return checkSecurityHeader(i.value);
          const allowed = ZONE_SETTINGS[i.settingId];
          if (!allowed) return undefined;
          return allowed.includes(i.value as string)
            ? undefined
            : `${show(i.value)} is not one of ${allowed.map(show).join(", ")} for ${i.settingId}`;
        },
      },
    ],
  },
  "cloudflare:index/dnsRecord:DnsRecord": {
    source: DNS_SOURCE,
    args: {
      zoneId: [zoneId],
      name: [
        // A wildcard record's name starts with "*."; the rest is an ordinary hostname, whose
        // labels may start with "_" (RFC 8552 underscored names: _dmarc, <token>._domainkey).
        rule(
          "a lowercase hostname (labels a-z, 0-9, '-', a label may start with '_', ≤ 63 each, ≤ 253 in all), optionally starting with *.",
          {
            source: DNS_SOURCE,
            fix: "DNS names are built from ara:domain: set it to a lowercase DNS name",
          },
          (v) =>
            typeof v === "string" &&
            HOSTNAME.test((v.startsWith("*.") ? v.slice(2) : v).replace(/(^|\.)_/g, "$1u"))
              ? undefined
              : `${show(v)} is not a lowercase hostname`,
        ),
      ],
      type: [oneOf(DNS_TYPES, { source: DNS_SOURCE, fix: "use an upper-case record type" })],
      ttl: [
        rule(
          "1 (automatic) or 60–86400 seconds (30–86400 on Enterprise)",
          { source: DNS_SOURCE, fix: "use ttl 1 (automatic) for proxied records" },
          (v, ctx) => {
            if (v === 1) return undefined;
            const min = atLeast(ctx, "enterprise") ? 30 : 60;
            return typeof v === "number" && Number.isInteger(v) && v >= min && v <= 86_400
              ? undefined
              : `${show(v)} is neither 1 nor ${min}..86400`;
          },
        ),
      ],
      comment: [
        rule(
          "at most 100 characters on Free zones, 500 on paid plans",
          {
            source:
              "https://developers.cloudflare.com/dns/manage-dns-records/reference/record-attributes/#comments",
            fix: "shorten the record's comment in components/edge",
          },
          (v, ctx) => {
            const max = atLeast(ctx, "pro") ? 500 : 100;
            return typeof v !== "string"
              ? "is not a string"
              : v.length > max
                ? `has ${v.length} characters, more than ${max}`
                : undefined;
          },
        ),
      ],
    },
    relations: [
      {
        arg: "content",
        rule: "content fits the type: A an IPv4 address, AAAA an IPv6 address, CNAME/NS/PTR a hostname",
        source:
          "https://developers.cloudflare.com/dns/manage-dns-records/reference/dns-record-types/",
        fix: "give the record content of its type (components/edge)",
        test: (i) => {
          const c = i.content;
          if (typeof c !== "string" || typeof i.type !== "string") return undefined;
          if (i.type === "A" && !isIpv4(c)) return `${show(c)} is not an IPv4 address (type A)`;
          if (i.type === "AAAA" && !isIpv6(c))
            return `${show(c)} is not an IPv6 address (type AAAA)`;
          if (["CNAME", "NS", "PTR"].includes(i.type) && !HOSTNAME.test(c.replace(/\.$/, "")))
            return `${show(c)} is not a hostname (type ${i.type})`;
          return undefined;
        },
      },
      {
        arg: "ttl",
        rule: "a proxied record has ttl 1 (automatic)",
        source: DNS_SOURCE,
        fix: "set ttl: 1 on proxied records",
        test: (i) =>
          i.proxied === true && i.ttl !== undefined && i.ttl !== 1
            ? `proxied with ttl ${show(i.ttl)}`
            : undefined,
      },
      {
        arg: "proxied",
        rule: "only A, AAAA and CNAME records can be proxied",
        source: "https://developers.cloudflare.com/dns/proxy-status/#proxied-records",
        fix: "set proxied: false, or use an A/AAAA/CNAME record",
        test: (i) =>
          i.proxied === true &&
          typeof i.type === "string" &&
          !["A", "AAAA", "CNAME"].includes(i.type)
            ? `type ${i.type} cannot be proxied`
            : undefined,
      },
    ],
  },
  "cloudflare:index/ruleset:Ruleset": {
    source: `${D}/ruleset.d.ts`,
    args: {
      zoneId: [zoneId],
      name: [length(1, 255, { source: `${D}/ruleset.d.ts`, fix: "name the ruleset" })],
      kind: [
        oneOf(["managed", "custom", "root", "zone"], {
          source: `${D}/ruleset.d.ts`,
          fix: 'a zone entry-point ruleset is kind "zone"',
        }),
      ],
      phase: [
        oneOf(RULESET_PHASES, {
          source: `${D}/ruleset.d.ts`,
          fix: 'rate limits live in phase "http_ratelimit"',
        }),
      ],
      "rules[].action": [
        oneOf(RULESET_ACTIONS, { source: RULES_SOURCE, fix: "use a lowercase Ruleset action" }),
      ],
      "rules[].expression": [
        length(1, 4096, {
          source: "https://developers.cloudflare.com/ruleset-engine/rules-language/expressions/",
          fix: "keep the expression non-empty and under 4096 characters",
        }),
      ],
      "rules[].ref": [
        pattern(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, '_' and '-', ≤ 64", {
          source: RULES_SOURCE,
          fix: "use a short snake_case ref",
        }),
      ],
      "rules[].ratelimit.period": [ratelimitPeriod],
      "rules[].ratelimit.mitigationTimeout": [ratelimitMitigationTimeout],
      "rules[].ratelimit.requestsPerPeriod": [
        range(1, 1_000_000_000, {
          source: RATE_LIMIT_SOURCE,
          fix: "set ara:edge.apiRateLimit.requestsPerPeriod to 1 or more",
        }),
      ],
      "rules[].ratelimit.characteristics": [
        rule(
          'includes "cf.colo.id" (required by the API) and a client key such as "ip.src"',
          {
            source:
              "https://developers.cloudflare.com/waf/rate-limiting-rules/parameters/#with-the-same-characteristics",
            fix: 'count per ["cf.colo.id", "ip.src"]',
          },
          (v, ctx) => {
            if (!Array.isArray(v)) return `${show(v)} is not a list`;
            if (!v.includes("cf.colo.id")) return 'has no "cf.colo.id"';
            if (!atLeast(ctx, "enterprise") && v.some((c) => c !== "cf.colo.id" && c !== "ip.src"))
              return `${show(v)} counts by more than IP (Enterprise only)`;
            return undefined;
          },
        ),
      ],
      "rules[].actionParameters.response.statusCode": [
        range(400, 499, {
          source: "https://developers.cloudflare.com/waf/rate-limiting-rules/create-api/",
          fix: "answer a blocked request with a 4xx, e.g. 429",
        }),
      ],
      "rules[].actionParameters.response.contentType": [
        oneOf(["text/html", "text/plain", "application/json", "text/xml"], {
          source: "https://developers.cloudflare.com/waf/custom-rules/create-api/#example-b",
          fix: "use one of the content types custom responses allow",
        }),
      ],
    },
    relations: [
      {
        arg: "rules",
        rule: "an http_ratelimit rule has a ratelimit block and a block/challenge/log action; custom responses need Pro or better",
        source: RATE_LIMIT_SOURCE,
        fix: "give each rate-limit rule a ratelimit block and a supported action; on a Free zone omit actionParameters.response",
        test: (i, ctx) => {
          if (i.phase !== "http_ratelimit" || !Array.isArray(i.rules)) return undefined;
          for (const [n, r] of i.rules.entries()) {
            const rr = r as {
              action?: string;
              ratelimit?: unknown;
              actionParameters?: { response?: unknown };
            };
            if (!rr.ratelimit) return `rules[${n}] has no ratelimit block`;
            if (rr.action !== undefined && !RATELIMIT_ACTIONS.includes(rr.action))
              return `rules[${n}] action ${show(rr.action)} cannot rate-limit`;
            if (rr.actionParameters?.response && !atLeast(ctx, "pro"))
              return `rules[${n}] has a custom response on a ${planOf(ctx)} zone`;
          }
          return undefined;
        },
      },
    ],
  },
  "cloudflare:index/healthcheck:Healthcheck": {
    source: `${D}/healthcheck.d.ts`,
    args: {
      zoneId: [zoneId],
      name: [
        pattern(/^[A-Za-z0-9_-]{1,255}$/, "alphanumerics, '-' and '_' only", {
          source: `${D}/healthcheck.d.ts`,
          fix: "health-check names come from components/naming.ts; keep them to a-z, 0-9, '-', '_'",
        }),
      ],
      address: [
        rule(
          "a hostname or an IP address (no scheme, no path)",
          {
            source: `${API}/resources/healthchecks/methods/create/`,
            fix: "pass the bare host, e.g. app.<domain>",
          },
          (v) =>
            typeof v === "string" && (HOSTNAME.test(v) || isIpv4(v) || isIpv6(v))
              ? undefined
              : `${show(v)} is not a hostname or IP`,
        ),
      ],
      type: [
        oneOf(["HTTP", "HTTPS", "TCP"], {
          source: `${API}/resources/healthchecks/methods/create/`,
          fix: 'use "HTTPS"',
        }),
      ],
      interval: [healthcheckInterval],
      timeout: [
        range(1, 10, {
          source: `${API}/resources/healthchecks/methods/create/`,
          fix: "keep the timeout from 1 to 10 s",
        }),
      ],
      retries: [
        range(0, 5, {
          source: `${API}/resources/healthchecks/methods/create/`,
          fix: "keep retries from 0 to 5",
        }),
      ],
      consecutiveFails: [
        range(1, 10, {
          source: `${API}/resources/healthchecks/methods/create/`,
          fix: "set ara:monitoring.healthChecks.consecutiveFails from 1 to 10",
        }),
      ],
      consecutiveSuccesses: [
        range(1, 10, {
          source: `${API}/resources/healthchecks/methods/create/`,
          fix: "keep consecutiveSuccesses from 1 to 10",
        }),
      ],
      "checkRegions[]": [
        oneOf(HEALTHCHECK_REGIONS, {
          source: `${API}/resources/healthchecks/methods/create/`,
          fix: "use upper-case region codes such as ENAM, WNAM",
        }),
      ],
      "httpConfig.method": [
        oneOf(["GET", "HEAD"], {
          source: `${D}/types/input.d.ts (HealthcheckHttpConfig)`,
          fix: 'use "GET" or "HEAD"',
        }),
      ],
      "httpConfig.port": [
        range(1, 65_535, {
          source: `${D}/types/input.d.ts (HealthcheckHttpConfig)`,
          fix: "use a TCP port such as 443",
        }),
      ],
      "httpConfig.path": [
        pattern(/^\/\S*$/, "a path starting with '/'", {
          source: `${D}/types/input.d.ts (HealthcheckHttpConfig)`,
          fix: "start the path with '/'",
        }),
      ],
      "httpConfig.expectedCodes[]": [
        pattern(/^[1-5](\d\d|xx)$/, "a status code or class such as 200 or 2xx", {
          source: `${D}/types/input.d.ts (HealthcheckHttpConfig)`,
          fix: 'use codes like "200" or "2xx"',
        }),
      ],
    },
    relations: [
      {
        arg: "timeout",
        rule: "the timeout is shorter than the interval",
        source: `${API}/resources/healthchecks/methods/create/`,
        fix: "keep the timeout below ara:monitoring.healthChecks.intervalSeconds",
        test: (i) =>
          typeof i.timeout === "number" && typeof i.interval === "number" && i.timeout >= i.interval
            ? `timeout ${i.timeout} s is not shorter than the ${i.interval} s interval`
            : undefined,
      },
    ],
  },
  "cloudflare:index/notificationPolicy:NotificationPolicy": {
    source: `${D}/notificationPolicy.d.ts`,
    args: {
      accountId: [accountId],
      name: [
        length(1, 256, {
          source: `${API}/resources/alerting/`,
          fix: "name the notification policy",
        }),
      ],
      alertType: [
        oneOf(ALERT_TYPES, {
          source: `${D}/notificationPolicy.d.ts`,
          fix: "use an alertType from notificationPolicy.d.ts, in snake_case",
        }),
      ],
      "mechanisms.emails[].id": [
        email({
          source: `${D}/types/input.d.ts (NotificationPolicyMechanismsEmail)`,
          fix: "set ara:monitoring.alertEmails to email addresses",
        }),
      ],
      "filters.statuses[]": [
        oneOf(["Healthy", "Unhealthy"], {
          source: `${API}/resources/alerting/subresources/policies/`,
          fix: 'use "Healthy" and "Unhealthy", capitalised',
        }),
      ],
    },
  },
};
