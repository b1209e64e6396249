import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asObject, asString, label, stackRule, type RuleMeta } from "../lib/define";
import { configuring, s3Buckets } from "../lib/s3-links";
import { planetScaleKind, T } from "../lib/types";

export interface CrossRegionCopyConfig {
  minRetentionDays?: number;
}

export const meta: RuleMeta = {
  name: "database-cross-region-copy",
  description:
    "Every PlanetScale database must have its cross-region copy: a backup bucket in another AWS region than the database, keeping dumps at least as long as configured.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Set ara:database.crossRegionCopy ({ enabled: true, region: <another region>, retentionDays ≥ 7 }); the Database component creates the bucket and npm run backup fills it nightly.",
  configSchema: {
    properties: { minRetentionDays: { type: "number", minimum: 1, default: 7 } },
  },
};

/** The Database component owns its backup bucket, so the bucket's URN names it as parent. */
function ownedByDatabase(bucket: PolicyResource): boolean {
  return bucket.urn.includes("ara:database:Database$");
}

/**
 * The AWS region a PlanetScale region slug runs in: `us-east` is AWS us-east-1, other AWS
 * slugs are `aws-<region>`; GCP regions have none, so any AWS region is another region.
 */
export function awsRegionOfPlanetScale(slug: string | undefined): string | undefined {
  if (slug === "us-east") return "us-east-1";
  return slug?.startsWith("aws-") ? slug.slice(4) : undefined;
}

/** Days after which the bucket's lifecycle deletes current dumps; undefined when it never does. */
function expiryDays(resources: readonly PolicyResource[], bucket: PolicyResource) {
  const days = configuring(resources, bucket, [T.s3Lifecycle]).flatMap((l) =>
    (Array.isArray(l.props.rules) ? l.props.rules : [])
      .map((rule) => asObject(rule))
      .filter((rule) => rule?.status === "Enabled")
      .map((rule) => asObject(rule?.expiration)?.days)
      .filter((d): d is number => typeof d === "number"),
  );
  return days.length === 0 ? undefined : Math.min(...days);
}

/**
 * Requirement (docs/architecture.md) "Cross-region backup (production)": PlanetScale keeps its
 * backups beside the database, so the copy outside it is a bucket in another region.
 * @severity high
 */
export function databaseCrossRegionCopy(): StackValidationPolicy {
  return stackRule<CrossRegionCopyConfig>(meta, (args, report, config) => {
    const minDays = config.minRetentionDays ?? 7;
    const dbs = args.resources.filter((r) => planetScaleKind(r.type) === "Database");
    if (dbs.length === 0) args.notApplicable("the stack has no PlanetScale database");
    const copies = s3Buckets(args.resources).filter(ownedByDatabase);
    for (const db of dbs) {
      const home = awsRegionOfPlanetScale(asString(db.props.region));
      if (copies.length === 0) {
        report(`${label(db)} has no cross-region copy.`);
        continue;
      }
      for (const bucket of copies) {
        const region = asString(bucket.props.region);
        if (region === undefined || region === home) {
          report(
            `${label(bucket)} is in ${region ?? "the provider's default region"}, the region of ${label(db)}: a regional outage takes both.`,
            `Set ara:database.crossRegionCopy.region to another AWS region than ${home ?? "the database's"}.`,
          );
        }
        const days = expiryDays(args.resources, bucket);
        if (days !== undefined && days < minDays) {
          report(
            `${label(bucket)} deletes dumps after ${days} days, fewer than ${minDays}.`,
            `Set ara:database.crossRegionCopy.retentionDays to ${minDays} or more.`,
          );
        }
      }
    }
  });
}
