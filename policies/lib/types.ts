/**
 * Pulumi type tokens of the resources the policies inspect, and of every resource the tests
 * look up: one list, so a token is spelled once. Strings, not SDK classes: the pack must not
 * load provider SDKs (they add start-up time to every preview and are not the pack's
 * dependencies). Each provider token was checked against the installed SDK's `__pulumiType`.
 */
export const T = {
  upstashRedis: "upstash:index/redisDatabase:RedisDatabase",

  r2Bucket: "cloudflare:index/r2Bucket:R2Bucket",
  r2Lifecycle: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
  r2Cors: "cloudflare:index/r2BucketCors:R2BucketCors",
  r2ManagedDomain: "cloudflare:index/r2ManagedDomain:R2ManagedDomain",
  r2CustomDomain: "cloudflare:index/r2CustomDomain:R2CustomDomain",
  r2Lock: "cloudflare:index/r2BucketLock:R2BucketLock",
  queue: "cloudflare:index/queue:Queue",
  queueConsumer: "cloudflare:index/queueConsumer:QueueConsumer",
  r2EventNotification: "cloudflare:index/r2BucketEventNotification:R2BucketEventNotification",
  workersScript: "cloudflare:index/workersScript:WorkersScript",
  workersSubdomain: "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain",
  workersRoute: "cloudflare:index/workersRoute:WorkersRoute",
  workersCustomDomain: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
  zoneSetting: "cloudflare:index/zoneSetting:ZoneSetting",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  sesEmailIdentity: "aws:sesv2/emailIdentity:EmailIdentity",
  ruleset: "cloudflare:index/ruleset:Ruleset",
  healthcheck: "cloudflare:index/healthcheck:Healthcheck",
  notificationPolicy: "cloudflare:index/notificationPolicy:NotificationPolicy",
  notificationWebhooks: "cloudflare:index/notificationPolicyWebhooks:NotificationPolicyWebhooks",

  s3Bucket: "aws:s3/bucket:Bucket",
  s3BucketV2: "aws:s3/bucketV2:BucketV2",
  s3Versioning: "aws:s3/bucketVersioning:BucketVersioning",
  s3VersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  s3Encryption:
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  s3EncryptionV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  s3PublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  s3Policy: "aws:s3/bucketPolicy:BucketPolicy",
  s3Lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  s3Ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  iamUser: "aws:iam/user:User",
  iamAccessKey: "aws:iam/accessKey:AccessKey",
  iamUserPolicy: "aws:iam/userPolicy:UserPolicy",
  kmsKey: "aws:kms/key:Key",
  snsTopic: "aws:sns/topic:Topic",
  snsSubscription: "aws:sns/topicSubscription:TopicSubscription",
  snsTopicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  budget: "aws:budgets/budget:Budget",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  canary: "aws:synthetics/canary:Canary",

  vercelProject: "vercel:index/project:Project",
  vercelEnvVar: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
  vercelEnvVars: "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables",
  vercelDeployment: "vercel:index/deployment:Deployment",
  vercelDomain: "vercel:index/projectDomain:ProjectDomain",
  vercelFirewall: "vercel:index/firewallConfig:FirewallConfig",

  // Our dynamic providers (providers/planetscale/resources.ts); planetScaleKind() below also
  // accepts the other spellings such a token could take.
  planetScaleDatabase: "pulumi-nodejs:dynamic/planetscale:Database",
  planetScaleBranch: "pulumi-nodejs:dynamic/planetscale:Branch",
  planetScaleRole: "pulumi-nodejs:dynamic/planetscale:Role",
  planetScaleBackupPolicy: "pulumi-nodejs:dynamic/planetscale:BackupPolicy",

  // The program's components (components/*, `ara:<tier>:<Name>`).
  databaseComponent: "ara:database:Database",
  cacheComponent: "ara:cache:Cache",
  storageComponent: "ara:storage:Storage",
  workerComponent: "ara:worker:SignerWorker",
  edgeComponent: "ara:edge:Edge",
  webAppComponent: "ara:app:WebApp",
  monitoringComponent: "ara:monitoring:Monitoring",

  logpushJob: "cloudflare:index/logpushJob:LogpushJob",
  vercelLogDrain: "vercel:index/logDrain:LogDrain",
  grafanaAccessPolicy: "grafana:cloud/accessPolicy:AccessPolicy",
  grafanaAccessPolicyToken: "grafana:cloud/accessPolicyToken:AccessPolicyToken",
  grafanaFolder: "grafana:oss/folder:Folder",
  grafanaRuleGroup: "grafana:alerting/ruleGroup:RuleGroup",
  grafanaSlo: "grafana:slo/sLO:SLO",
  grafanaCheck: "grafana:syntheticMonitoring/check:Check",
  sentryTeam: "sentry:index/sentryTeam:SentryTeam",
  sentryProject: "sentry:index/sentryProject:SentryProject",
  sentryKey: "sentry:index/sentryKey:SentryKey",
  pagerdutySchedule: "pagerduty:index/schedule:Schedule",
  pagerdutyEscalationPolicy: "pagerduty:index/escalationPolicy:EscalationPolicy",
  pagerdutyService: "pagerduty:index/service:Service",
  pagerdutyIntegration: "pagerduty:index/serviceIntegration:ServiceIntegration",
  grafanaContactPoint: "grafana:alerting/contactPoint:ContactPoint",
  grafanaNotificationPolicy: "grafana:alerting/notificationPolicy:NotificationPolicy",
  grafanaMuteTiming: "grafana:alerting/muteTiming:MuteTiming",
  grafanaAlertingComponent: "ara:observability:GrafanaAlerting",
  logArchiveComponent: "ara:observability:LogArchive",
  errorTrackingComponent: "ara:observability:ErrorTracking",

  randomBytes: "random:index/randomBytes:RandomBytes",
  stack: "pulumi:pulumi:Stack",
} as const;

/** PlanetScale resources come from our dynamic providers (providers/planetscale). */
export type PlanetScaleKind = "Database" | "Branch" | "Role" | "BackupPolicy";

/**
 * A dynamic resource's token is `pulumi-nodejs:dynamic[/<module>]:<type>`. The component may
 * name the module `planetscale` (type `Database`) or put the product in the type
 * (`PlanetScaleDatabase`); both are accepted so a naming change cannot silently switch a
 * guardrail off.
 */
export function planetScaleKind(type: string): PlanetScaleKind | undefined {
  const m = /^pulumi-nodejs:dynamic(?:\/([^:]*))?:(.+)$/.exec(type);
  if (!m) return undefined;
  const module = (m[1] ?? "").toLowerCase();
  let name = m[2]!;
  if (/^planet[-_]?scale/i.test(name)) name = name.replace(/^planet[-_]?scale[-_]?/i, "");
  else if (!module.includes("planetscale")) return undefined;
  const kinds: PlanetScaleKind[] = ["Database", "Branch", "Role", "BackupPolicy"];
  return kinds.find((k) => k.toLowerCase() === name.toLowerCase());
}

export const S3_BUCKET_TYPES: readonly string[] = [T.s3Bucket, T.s3BucketV2];
export const S3_VERSIONING_TYPES: readonly string[] = [T.s3Versioning, T.s3VersioningV2];
export const S3_ENCRYPTION_TYPES: readonly string[] = [T.s3Encryption, T.s3EncryptionV2];

/**
 * Resources whose loss loses data. In prod they must be protected (and retained on delete).
 * PlanetScale branches, roles and backup policies are included: deleting the role breaks the
 * app's credentials, deleting the production branch or backup policy loses data or backups.
 */
export function isStateful(type: string): boolean {
  if (planetScaleKind(type)) return true;
  return (
    type === T.upstashRedis ||
    type === T.r2Bucket ||
    S3_BUCKET_TYPES.includes(type) ||
    S3_VERSIONING_TYPES.includes(type)
  );
}
