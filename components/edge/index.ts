import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import type { Namer } from "../naming";
import { AraComponent } from "../component";

/** Cloudflare zone plans, cheapest first. */
export type CloudflarePlan = "free" | "pro" | "business" | "enterprise";

/**
 * Settings of the `Edge` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface EdgeArgs {
  /** Zone of the stack's domain (stack config `accounts.cloudflareZoneId`). */
  zoneId: pulumi.Input<string>;
  /**
   * The web app's host, served by Vercel behind Cloudflare's proxy.
   * @example "app.ara.example"
   */
  appHostname: pulumi.Input<string>;
  /**
   * The signer's host; it has no origin, the worker route answers it.
   * @example "api.ara.example"
   */
  apiHostname: pulumi.Input<string>;
  /**
   * CNAME target of the app host.
   * @default "cname.vercel-dns.com"
   */
  appOrigin?: pulumi.Input<string>;
  /**
   * The zone's plan. Decides which rate-limit features are requested (a custom 429 body needs
   * Pro or better), so it is a plain value; docs/edge.md has the full table.
   */
  cloudflarePlan: CloudflarePlan;
  /**
   * Oldest TLS version the edge accepts. TLS 1.3 is always enabled as well.
   */
  minTlsVersion: pulumi.Input<string>;
  /** Strict-Transport-Security sent by the edge. */
  hsts: {
    /** How long browsers remember to use HTTPS only. */
    maxAgeSeconds: pulumi.Input<number>;
    /** Whether the policy covers every subdomain of the zone too. */
    includeSubdomains: pulumi.Input<boolean>;
    /**
     * Ask for the browsers' preload list; needs includeSubdomains and a year's max-age.
     */
    preload: pulumi.Input<boolean>;
  };
  /** Per-client rate limit on the app's `/api/`. */
  apiRateLimit: {
    /** Requests one client may send per period before it is blocked. */
    requestsPerPeriod: pulumi.Input<number>;
    /**
     * Counting window; a Free zone allows only 10 s.
     */
    periodSeconds: pulumi.Input<number>;
    /**
     * How long a client that exceeded the limit stays blocked; a Free zone allows only 10 s.
     */
    mitigationTimeoutSeconds: pulumi.Input<number>;
  };
}

/**
 * What the rate limit counts: the web app's API, as browsers call it. The signer on the api
 * host is left out on purpose: the web app calls it, and PUTs to the signed upload URLs, from
 * Vercel's shared egress addresses, so a per-IP count there would throttle every user at
 * once, and below Business a rule cannot tell a browser's GET from the app's PUT. Uploads are
 * limited per session by the app and in size and lifetime by the signer (docs/edge.md).
 * The path is the only field a Free zone may use.
 */
export const RATE_LIMITED_EXPRESSION = 'starts_with(http.request.uri.path, "/api/")';

/** The JSON body a rate-limited client gets (Pro or better), shaped like the apps' errors. */
export const RATE_LIMITED_BODY = JSON.stringify({
  error: "rate_limited",
  message: "Too many requests from this address; wait a moment, then retry.",
});

/**
 * The `Edge` component is the zone's front door: TLS settings (strict origin TLS, HTTPS
 * only, TLS 1.3, HSTS), the two proxied DNS records (the app on Vercel, the signer's host),
 * and the zone's rate-limiting entry-point ruleset. DDoS mitigation is always on at
 * Cloudflare and needs no resource.
 *
 * A zone has one entry-point ruleset per phase: if the zone already has an
 * `http_ratelimit` ruleset (say, from the dashboard), import it instead of creating a
 * second one (docs/edge.md).
 *
 * #### Minimal example
 * ```ts
 * const edge = new Edge("edge", { zoneId, appHostname: "app.example.com",
 *   apiHostname: "api.example.com", cloudflarePlan: "pro", minTlsVersion: "1.2",
 *   hsts: { maxAgeSeconds: 31536000, includeSubdomains: true, preload: false },
 *   apiRateLimit: { requestsPerPeriod: 100, periodSeconds: 60, mitigationTimeoutSeconds: 60 } },
 *   { providers: [cloudflareProvider] });
 * ```
 */
export class Edge extends AraComponent {
  /** `https://<appHostname>`. */
  public readonly appUrl: pulumi.Output<string>;
  /** ID of the zone's `http_ratelimit` entry-point ruleset. */
  public readonly rateLimitRulesetId: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:edge:Edge", name, opts);

    createZoneSettings(this, name, args);
    createDnsRecords(this, name, args);
    const ruleset = createRateLimit(this, name, this.names, args);

    this.appUrl = pulumi.interpolate`https://${args.appHostname}`;
    this.rateLimitRulesetId = ruleset.id;

    this.registerOutputs({ appUrl: this.appUrl, rateLimitRulesetId: this.rateLimitRulesetId });
  }
}

function createZoneSettings(parent: Edge, name: string, args: EdgeArgs): void {
  // Setting IDs and nested value keys are the API's snake_case: the provider passes `value`
  // through untranslated, and camelCase keys cause a perpetual diff (pulumi-cloudflare#1579).
  const settings: Array<[role: string, settingId: string, value: unknown]> = [
    ["min-tls-version", "min_tls_version", args.minTlsVersion],
    ["tls-1-3", "tls_1_3", "on"],
    ["always-use-https", "always_use_https", "on"],
    // Strict: the edge verifies the origin's certificate (Vercel's), never plain or self-signed.
    ["ssl", "ssl", "strict"],
    ["automatic-https-rewrites", "automatic_https_rewrites", "on"],
    [
      "hsts",
      "security_header",
      {
        strict_transport_security: {
          enabled: true,
          max_age: args.hsts.maxAgeSeconds,
          include_subdomains: args.hsts.includeSubdomains,
          preload: args.hsts.preload,
          nosniff: true,
        },
      },
    ],
  ];
  for (const [role, settingId, value] of settings) {
    new cloudflare.ZoneSetting(
      `${name}-${role}`,
      { zoneId: args.zoneId, settingId, value },
      { parent },
    );
  }
}

function createDnsRecords(parent: Edge, name: string, args: EdgeArgs): void {
  // Proxied so the WAF rate limit and HSTS apply to the app's /api traffic; the cost is a
  // second proxy in front of Vercel (docs/edge.md explains the trade-off).
  new cloudflare.DnsRecord(
    `${name}-app-dns`,
    {
      zoneId: args.zoneId,
      name: args.appHostname,
      type: "CNAME",
      content: args.appOrigin ?? "cname.vercel-dns.com",
      proxied: true,
      ttl: 1, // required; 1 means automatic, the only value for proxied records
      comment: "ARA web app on Vercel, proxied for the WAF (managed by Pulumi)",
    },
    { parent },
  );
  // The signer has no origin: 100:: is the discard prefix, and the proxied record only lets
  // the worker route receive the host's traffic.
  new cloudflare.DnsRecord(
    `${name}-api-dns`,
    {
      zoneId: args.zoneId,
      name: args.apiHostname,
      type: "AAAA",
      content: "100::",
      proxied: true,
      ttl: 1,
      comment: "ARA signer worker route target (managed by Pulumi)",
    },
    { parent },
  );
}

function createRateLimit(
  parent: Edge,
  name: string,
  names: Namer,
  args: EdgeArgs,
): cloudflare.Ruleset {
  const limit = args.apiRateLimit;
  // Custom responses for block actions need Pro or better; a Free zone answers with
  // Cloudflare's own 429 page.
  const customResponse = args.cloudflarePlan !== "free";
  return new cloudflare.Ruleset(
    `${name}-rate-limit`,
    {
      zoneId: args.zoneId,
      name: names.physical("rate-limit"),
      description: "ARA per-client rate limits (managed by Pulumi)",
      kind: "zone",
      phase: "http_ratelimit",
      rules: [
        {
          ref: "ara_api_rate_limit",
          description: "Web app API requests per client IP",
          expression: RATE_LIMITED_EXPRESSION,
          action: "block",
          ...(customResponse && {
            actionParameters: {
              response: {
                statusCode: 429,
                contentType: "application/json",
                content: RATE_LIMITED_BODY,
              },
            },
          }),
          ratelimit: {
            // cf.colo.id is mandatory: counters are kept per data centre.
            characteristics: ["cf.colo.id", "ip.src"],
            period: limit.periodSeconds,
            requestsPerPeriod: limit.requestsPerPeriod,
            mitigationTimeout: limit.mitigationTimeoutSeconds,
          },
        },
      ],
    },
    { parent },
  );
}
