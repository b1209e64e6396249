import * as pulumi from "@pulumi/pulumi";
import {
  Bucket,
  BucketLifecycleConfiguration,
  BucketOwnershipControls,
  BucketPolicy,
  BucketPublicAccessBlock,
  BucketServerSideEncryptionConfiguration,
  BucketVersioning,
  type BucketLifecycleConfigurationArgs,
} from "@pulumi/aws/s3";
import { stateful, type Protection } from "./component";

/**
 * What a private S3 bucket in another region needs: the report replica (components/storage)
 * and the database's logical backups (components/database) are both built by
 * {@link createPrivateS3Bucket}, so the hardening the pack checks is written once.
 */
export interface PrivateS3BucketArgs {
  /**
   * `ara-<stack>-<name>`: S3 names are global, so AWS appends a generated suffix; the prefix
   * is cut to the 37 characters S3 allows.
   */
  physicalName: string;
  /** The bucket's region; the stack's one AWS provider is redirected per resource. */
  region: pulumi.Input<string>;
  /** The bucket's lifecycle rules; they are applied once versioning is on. */
  lifecycleRules: BucketLifecycleConfigurationArgs["rules"];
  /** Protection of the bucket and its versioning: both hold data. */
  protection: Protection;
}

/**
 * A versioned S3 bucket that only TLS can reach, encrypted at rest, with public access
 * blocked and ACLs off. Children are named `<logicalName>-<role>` under `parent`.
 */
export function createPrivateS3Bucket(
  parent: pulumi.Resource,
  logicalName: string,
  args: PrivateS3BucketArgs,
): Bucket {
  const { region } = args;
  const child = { parent };
  const prefix = `${args.physicalName.slice(0, 36).replace(/-+$/, "")}-`;
  const bucket = new Bucket(
    logicalName,
    { bucketPrefix: prefix, region, forceDestroy: false },
    stateful(parent, args.protection),
  );
  const inRegion = { bucket: bucket.id, region };

  const versioning = new BucketVersioning(
    `${logicalName}-versioning`,
    { ...inRegion, versioningConfiguration: { status: "Enabled" } },
    stateful(parent, args.protection),
  );
  // SSE-S3 (AES-256) meets ARA's "AES-256 at rest" with no key to pay for or rotate, and
  // writers need no KMS permission.
  new BucketServerSideEncryptionConfiguration(
    `${logicalName}-encryption`,
    {
      ...inRegion,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    },
    child,
  );
  new BucketPublicAccessBlock(
    `${logicalName}-public-access`,
    {
      ...inRegion,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );
  new BucketOwnershipControls(
    `${logicalName}-ownership`,
    { ...inRegion, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );
  new BucketPolicy(
    `${logicalName}-policy`,
    {
      ...inRegion,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    child,
  );
  new BucketLifecycleConfiguration(
    `${logicalName}-lifecycle`,
    { ...inRegion, rules: args.lifecycleRules },
    // Lifecycle rules on versions are only accepted once versioning is on.
    { parent, dependsOn: [versioning] },
  );
  return bucket;
}
