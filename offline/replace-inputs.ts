import { diffBackupPolicy } from "../providers/planetscale/backup-policy";
import { diffBranch } from "../providers/planetscale/branch";
import { diffDatabase } from "../providers/planetscale/database";
import { diffRole } from "../providers/planetscale/role";

/**
 * Which inputs replace a resource when they change, per type. An offline plan has no provider
 * to ask (decision 0001: a mock always "creates"), so the PR report decides update versus
 * replace from this table. Only the real `pulumi preview --diff` (run for same-repository pull
 * requests) is authoritative; a type missing here is reported as an update, and the report says
 * so.
 *
 * Sources: the bridged providers' schemas mark these inputs ForceNew / RequiresReplace, which the
 * Terraform provider docs print as "Forces new resource" / "Changing this forces a new resource".
 * The installed `.d.ts` files do not carry that note, so each entry names the page it was read
 * from. Vercel's project `name` is not listed: the provider updates a project's name in place;
 * only `teamId` moves it to another team, which recreates it.
 */
export const REPLACE_ON_CHANGE: Record<string, { inputs: readonly string[]; source: string }> = {
  "aws:s3/bucket:Bucket": {
    inputs: ["bucket", "bucketPrefix", "region", "objectLockEnabled"],
    source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket",
  },
  "aws:sns/topic:Topic": {
    inputs: ["name", "namePrefix", "fifoTopic"],
    source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic",
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    inputs: ["endpoint", "protocol", "topic"],
    source:
      "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic_subscription",
  },
  "aws:iam/user:User": {
    // IAM renames a user in place; only the path of the resource's identity is fixed.
    inputs: [],
    source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user",
  },
  "aws:iam/accessKey:AccessKey": {
    inputs: ["user", "pgpKey"],
    source:
      "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key",
  },
  "aws:budgets/budget:Budget": {
    inputs: ["name", "namePrefix", "accountId"],
    source:
      "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/budgets_budget",
  },
  "aws:kms/key:Key": {
    inputs: ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
    source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_key",
  },
  "aws:iam/role:Role": {
    inputs: ["name", "namePrefix", "path"],
    source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role",
  },
  "cloudflare:index/r2Bucket:R2Bucket": {
    inputs: ["accountId", "name", "location", "jurisdiction"],
    source:
      "https://registry.terraform.io/providers/cloudflare/cloudflare/latest/docs/resources/r2_bucket",
  },
  "cloudflare:index/queue:Queue": {
    inputs: ["accountId"],
    source:
      "https://registry.terraform.io/providers/cloudflare/cloudflare/latest/docs/resources/queue",
  },
  "cloudflare:index/workersScript:WorkersScript": {
    inputs: ["accountId", "scriptName"],
    source:
      "https://registry.terraform.io/providers/cloudflare/cloudflare/latest/docs/resources/workers_script",
  },
  "cloudflare:index/dnsRecord:DnsRecord": {
    inputs: ["zoneId"],
    source:
      "https://registry.terraform.io/providers/cloudflare/cloudflare/latest/docs/resources/dns_record",
  },
  "cloudflare:index/ruleset:Ruleset": {
    inputs: ["accountId", "zoneId", "kind", "phase"],
    source:
      "https://registry.terraform.io/providers/cloudflare/cloudflare/latest/docs/resources/ruleset",
  },
  "upstash:index/redisDatabase:RedisDatabase": {
    inputs: ["databaseName", "region", "primaryRegion"],
    source:
      "https://registry.terraform.io/providers/upstash/upstash/latest/docs/resources/redis_database",
  },
  "vercel:index/project:Project": {
    inputs: ["teamId"],
    source: "https://registry.terraform.io/providers/vercel/vercel/latest/docs/resources/project",
  },
  "vercel:index/projectDomain:ProjectDomain": {
    inputs: ["projectId", "teamId", "domain"],
    source:
      "https://registry.terraform.io/providers/vercel/vercel/latest/docs/resources/project_domain",
  },
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": {
    inputs: ["projectId", "teamId"],
    source:
      "https://registry.terraform.io/providers/vercel/vercel/latest/docs/resources/project_environment_variable",
  },
  "random:index/randomBytes:RandomBytes": {
    // Every input of the random provider's resources forces a new value.
    inputs: ["length", "keepers"],
    source: "https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/bytes",
  },
};

type DiffFn = (
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
) => { replaces?: string[] };

/** The PlanetScale dynamic provider's own diff decides, so the report matches what it will do. */
const DYNAMIC_DIFFS: Record<string, DiffFn> = {
  "pulumi-nodejs:dynamic/planetscale:Database": diffDatabase as DiffFn,
  "pulumi-nodejs:dynamic/planetscale:Branch": diffBranch as DiffFn,
  "pulumi-nodejs:dynamic/planetscale:BackupPolicy": diffBackupPolicy as DiffFn,
  "pulumi-nodejs:dynamic/planetscale:Role": diffRole as DiffFn,
};

export interface ReplaceDecision {
  /** The changed inputs that force a replacement; empty for an in-place update. */
  replaceKeys: string[];
  /** False when neither the table nor a provider diff knows the type. */
  known: boolean;
}

/**
 * Update or replace, from the inputs before and after. `changedKeys` are the top-level input
 * names that differ.
 */
export function decideReplace(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  changedKeys: readonly string[],
): ReplaceDecision {
  const dynamic = DYNAMIC_DIFFS[type];
  if (dynamic) return { replaceKeys: [...(dynamic(before, after).replaces ?? [])], known: true };
  const entry = REPLACE_ON_CHANGE[type];
  if (!entry) return { replaceKeys: [], known: false };
  return { replaceKeys: changedKeys.filter((k) => entry.inputs.includes(k)), known: true };
}
