import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, label, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { eachBucket } from "../lib/s3-links";

export const meta: RuleMeta = {
  name: "s3-deny-insecure-transport",
  description:
    "Every S3 bucket must have a bucket policy that denies requests made without TLS (aws:SecureTransport = false).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    'Attach an aws.s3.BucketPolicy with { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } } to the bucket.',
};

/** Whether a policy document (JSON text or object) has the deny-insecure-transport statement. */
export function deniesInsecureTransport(policy: unknown): boolean {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return false;
    }
  }
  const statements = asArray(asObject(doc)?.Statement ?? asObject(doc)?.statements);
  return statements.some((raw) => {
    const s = asObject(raw);
    if (!s || s.Effect !== "Deny") return false;
    const principal = s.Principal;
    const anyone = principal === "*" || asObject(principal)?.AWS === "*";
    const actions = [s.Action].flat();
    const allActions = actions.includes("s3:*") || actions.includes("*");
    const resources = [s.Resource].flat().filter((x): x is string => typeof x === "string");
    const coversBoth =
      resources.some((x) => x.endsWith("/*")) && resources.some((x) => !x.endsWith("/*"));
    const flag = asObject(asObject(s.Condition)?.Bool)?.["aws:SecureTransport"];
    return anyone && allActions && coversBoth && (flag === "false" || flag === false);
  });
}

/**
 * Requirement (docs/architecture.md) "Encryption in transit" for the AWS leg: S3 accepts plain HTTP unless a bucket
 * policy refuses it. The replicator's credentials would otherwise work over HTTP.
 * @severity high
 */
export function s3DenyInsecureTransport(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const n = eachBucket(
      args.resources,
      [T.s3Policy],
      "bucket policy",
      (p) =>
        deniesInsecureTransport(p.props.policy)
          ? undefined
          : `${label(p)} does not deny aws:SecureTransport = false for the bucket and its objects.`,
      (problem) => report(problem),
    );
    if (n === 0) args.notApplicable("the stack has no S3 buckets");
  });
}
