import { planetScaleKind, T } from "../lib/types";

/**
 * How the cost model treats each resource type, as Infracost and FinFocus count theirs: priced
 * by a vendor's pricing function (./vendors/<vendor>.ts), free (no charge of its own, and why),
 * or known but unpriced (and why). A type with no entry here is unpriced: a new tier's resources
 * are reported until someone decides what they cost, never counted as $0 silently.
 */
export type TypeCoverage =
  | {
      status: "priced";
      vendor:
        | "planetscale"
        | "upstash"
        | "cloudflare"
        | "vercel"
        | "aws"
        | "grafana"
        | "sentry"
        | "pagerduty";
    }
  | { status: "free"; reason: string }
  | { status: "unpriced"; reason: string };

const priced = (vendor: Extract<TypeCoverage, { status: "priced" }>["vendor"]): TypeCoverage => ({
  status: "priced",
  vendor,
});
const free = (reason: string): TypeCoverage => ({ status: "free", reason });

const ZONE_PLAN = free("included in the zone plan");
const R2_CONFIG = free("R2 bucket configuration; the bucket's storage and operations are priced");
const WORKER_ROUTING = free("routes requests to a Worker, where they are priced");
const S3_CONFIG = free("S3 bucket configuration; the bucket's storage and requests are priced");
const IAM = free("IAM is offered at no additional charge");
const VERCEL_CONFIG = free("Vercel project configuration; the project's usage is priced");
const ALERTS = free(
  "a handful of alert messages a month; SNS prices are not in the catalog (docs/cost.md)",
);

export const TYPE_COVERAGE: Readonly<Record<string, TypeCoverage>> = {
  [T.upstashRedis]: priced("upstash"),

  [T.r2Bucket]: priced("cloudflare"),
  [T.queue]: priced("cloudflare"),
  [T.workersScript]: priced("cloudflare"),
  [T.r2Lifecycle]: R2_CONFIG,
  [T.r2Cors]: R2_CONFIG,
  [T.r2Lock]: R2_CONFIG,
  [T.r2ManagedDomain]: free("public access to a bucket; its reads are priced as R2 operations"),
  [T.r2CustomDomain]: free("public access to a bucket; its reads are priced as R2 operations"),
  [T.r2EventNotification]: free("its messages are priced as queue operations"),
  [T.queueConsumer]: free("its reads and deletes are priced as queue operations"),
  [T.workersSubdomain]: WORKER_ROUTING,
  [T.workersRoute]: WORKER_ROUTING,
  [T.workersCustomDomain]: WORKER_ROUTING,
  [T.zoneSetting]: ZONE_PLAN,
  [T.dnsRecord]: ZONE_PLAN,
  [T.ruleset]: ZONE_PLAN,
  [T.healthcheck]: ZONE_PLAN,
  [T.notificationPolicy]: free("Cloudflare notifications carry no charge of their own"),
  [T.notificationWebhooks]: free("Cloudflare notifications carry no charge of their own"),

  [T.s3Bucket]: priced("aws"),
  [T.s3BucketV2]: priced("aws"),
  [T.kmsKey]: priced("aws"),
  [T.metricAlarm]: priced("aws"),
  [T.canary]: priced("aws"),
  [T.s3Versioning]: S3_CONFIG,
  [T.s3VersioningV2]: S3_CONFIG,
  [T.s3Encryption]: S3_CONFIG,
  [T.s3EncryptionV2]: S3_CONFIG,
  [T.s3PublicAccessBlock]: S3_CONFIG,
  [T.s3Policy]: S3_CONFIG,
  [T.s3Lifecycle]: S3_CONFIG,
  [T.s3Ownership]: S3_CONFIG,
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": S3_CONFIG,
  "aws:s3/bucketNotification:BucketNotification": S3_CONFIG,
  // SES charges per message sent, priced on the identity (vendors/aws.ts).
  "aws:sesv2/emailIdentity:EmailIdentity": priced("aws"),
  "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": free(
    "identity configuration; SES charges per message, priced on the identity",
  ),
  "aws:sesv2/configurationSet:ConfigurationSet": free(
    "SES configuration sets carry no charge; messages are priced on the identity",
  ),
  "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": free(
    "bounce/complaint/reject events published to the alert topic; SNS is not in the catalog (docs/cost.md)",
  ),
  [T.iamUser]: IAM,
  [T.iamAccessKey]: IAM,
  [T.iamUserPolicy]: IAM,
  "aws:iam/role:Role": IAM,
  "aws:iam/rolePolicy:RolePolicy": IAM,
  "aws:iam/policy:Policy": IAM,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": IAM,
  "aws:kms/alias:Alias": free("KMS aliases are free; the key is priced"),
  [T.snsTopic]: ALERTS,
  [T.snsSubscription]: ALERTS,
  "aws:sns/topicPolicy:TopicPolicy": ALERTS,
  [T.budget]: free("AWS Budgets without actions are free; ours have none"),

  [T.vercelProject]: priced("vercel"),
  [T.vercelEnvVar]: VERCEL_CONFIG,
  [T.vercelEnvVars]: VERCEL_CONFIG,
  [T.vercelDeployment]: VERCEL_CONFIG,
  [T.vercelDomain]: VERCEL_CONFIG,
  [T.vercelFirewall]: free(
    "firewall configuration; rate-limit rule charges are left out (docs/cost.md)",
  ),
  "vercel:index/projectProtectionBypass:ProjectProtectionBypass": VERCEL_CONFIG,
  "vercel:index/logDrain:LogDrain": free(
    "ara:usage has no log volume, so drained logs are left out (docs/cost.md)",
  ),

  // Observability (components/observability). Grafana's usage is priced on the telemetry token
  // (metrics, logs, traces) and on the checks; everything else is configuration.
  [T.grafanaAccessPolicyToken]: priced("grafana"),
  [T.grafanaCheck]: priced("grafana"),
  [T.grafanaAccessPolicy]: free("Grafana Cloud access policies carry no charge"),
  [T.grafanaFolder]: free("Grafana folders carry no charge"),
  [T.grafanaRuleGroup]: free(
    "Grafana-managed alert rules are included (500 on Free, 2,000 on paid plans)",
  ),
  [T.grafanaSlo]: free(
    "SLOs are included; their recording rules add a few active series, inside the metrics line",
  ),
  [T.sentryProject]: priced("sentry"),
  [T.sentryTeam]: free("Sentry teams carry no charge; the organization's plan is priced"),
  [T.sentryKey]: free("Sentry client keys carry no charge; the organization's plan is priced"),
  [T.logpushJob]: priced("cloudflare"),

  // On-call (components/oncall): the PagerDuty account is priced on its escalation policy (the
  // plan follows from the users, schedules and policies); the rest is configuration.
  [T.pagerdutyEscalationPolicy]: priced("pagerduty"),
  [T.pagerdutySchedule]: free(
    "schedules are included in the account's plan, priced on the escalation policy",
  ),
  [T.pagerdutyService]: free(
    "services are included in the account's plan, priced on the escalation policy",
  ),
  [T.pagerdutyIntegration]: free("integrations are included in every PagerDuty plan"),
  [T.grafanaContactPoint]: free("Grafana contact points carry no charge"),
  [T.grafanaNotificationPolicy]: free("Grafana notification policies carry no charge"),
  [T.grafanaMuteTiming]: free("Grafana mute timings carry no charge"),
};

/**
 * Whole families that never reach a cloud bill: Pulumi's own bookkeeping, this program's
 * component resources (their children are counted one by one) and locally generated values.
 */
const NOT_BILLED: readonly { matches: (type: string) => boolean; reason: string }[] = [
  { matches: (t) => t === T.stack, reason: "the stack itself, not a cloud resource" },
  {
    matches: (t) => t.startsWith("pulumi:providers:"),
    reason: "a provider configuration, not a cloud resource",
  },
  {
    matches: (t) => t.startsWith("ara:"),
    reason: "a component; its child resources are counted one by one",
  },
  {
    matches: (t) => t.startsWith("random:"),
    reason: "generated by the random provider, with no cloud account",
  },
];

/** PlanetScale resources come from dynamic providers, whose type tokens vary (lib/types.ts). */
const PLANETSCALE: Record<string, TypeCoverage> = {
  Database: priced("planetscale"),
  Branch: priced("planetscale"),
  Role: free("included in the database's price"),
  BackupPolicy: free("included in the database's price: production clusters include backups"),
};

/** The coverage of a type, or undefined when the cost model has no entry for it. */
export function typeCoverage(type: string): TypeCoverage | undefined {
  const kind = planetScaleKind(type);
  if (kind) return PLANETSCALE[kind];
  if (Object.hasOwn(TYPE_COVERAGE, type)) return TYPE_COVERAGE[type];
  const family = NOT_BILLED.find((f) => f.matches(type));
  return family && free(family.reason);
}
