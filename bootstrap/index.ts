import * as pulumi from "@pulumi/pulumi";
import { OpenIdConnectProvider, Role, RolePolicy } from "@pulumi/aws/iam";
import { Alias, Key } from "@pulumi/aws/kms";
import {
  Bucket,
  BucketLifecycleConfiguration,
  BucketOwnershipControls,
  BucketPolicy,
  BucketPublicAccessBlock,
  BucketServerSideEncryptionConfiguration,
  BucketVersioning,
} from "@pulumi/aws/s3";
import { isOfflinePlan } from "../infra/mode";
import {
  backupPolicy,
  deployPolicy,
  GITHUB_OIDC_URL,
  githubEnvironment,
  previewPolicy,
  stateBucketPolicy,
  STS_AUDIENCE,
  trustPolicy,
  type RoleKind,
} from "./policies";

/**
 * The bootstrap of one AWS account, run once by hand before any ARA stack: the S3 bucket that
 * holds every stack's state (Pulumi's DIY backend, decision 0012), the KMS key that encrypts the
 * stacks' secrets (`awskms://alias/ara-pulumi-secrets`) and the bucket, and GitHub Actions' OIDC
 * provider with two roles per environment: `deploy` (trusted from the GitHub environment
 * `<env>`, which in prod requires a reviewer) and `preview` (from `<env>-preview`, read-only).
 * No static AWS key exists anywhere. Everything is protected: removing it by accident would
 * orphan every stack's state.
 */

const config = new pulumi.Config("ara-bootstrap");
const accountId = config.require("accountId");
const repository = config.require("githubRepository");
const stateBucketName = config.require("stateBucketName");
const environments = config.requireObject<string[]>("environments");
const noncurrentDays = config.getNumber("noncurrentVersionExpiryDays") ?? 90;

if (!/^\d{12}$/.test(accountId))
  throw new Error(`ara-bootstrap:accountId must be a 12-digit AWS account ID, not '${accountId}'.`);
if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository))
  throw new Error(
    `ara-bootstrap:githubRepository must be owner/name (e.g. acme/ara-infra), not '${repository}'.`,
  );
if (!environments.length || environments.some((e) => !/^[a-z][a-z0-9-]*$/.test(e)))
  throw new Error(
    `ara-bootstrap:environments must list stack names such as [dev, staging, prod], not ${JSON.stringify(environments)}.`,
  );
if (!isOfflinePlan() && (/^0+$/.test(accountId) || repository.startsWith("placeholder")))
  throw new Error(
    "bootstrap/Pulumi.<stack>.yaml still holds placeholders: set ara-bootstrap:accountId to the account's ID " +
      "(`aws sts get-caller-identity`) and ara-bootstrap:githubRepository to this repository's owner/name.",
  );

const protect = { protect: true };
const tags = { "ara:managed-by": "bootstrap" };

// The key outlives everything encrypted with it: 30 days before deletion, yearly rotation.
const key = new Key(
  "secrets-key",
  {
    description:
      "ARA: Pulumi stack secrets (awskms:// secrets provider) and the state bucket (SSE-KMS)",
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    tags,
  },
  protect,
);
const alias = new Alias(
  "secrets-key-alias",
  { name: "alias/ara-pulumi-secrets", targetKeyId: key.keyId },
  protect,
);

const bucket = new Bucket("state", { bucket: stateBucketName, forceDestroy: false, tags }, protect);
const bucketOpts = { ...protect, parent: bucket };
new BucketOwnershipControls(
  "state-ownership",
  { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
  bucketOpts,
);
new BucketPublicAccessBlock(
  "state-public-access",
  {
    bucket: bucket.bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  },
  bucketOpts,
);
// Versioning lets an operator restore a checkpoint an interrupted update damaged.
const versioning = new BucketVersioning(
  "state-versioning",
  { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } },
  bucketOpts,
);
new BucketServerSideEncryptionConfiguration(
  "state-encryption",
  {
    bucket: bucket.bucket,
    rules: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
        // One data key per bucket rather than a KMS call per object: fewer requests, same key.
        bucketKeyEnabled: true,
      },
    ],
  },
  bucketOpts,
);
new BucketPolicy(
  "state-policy",
  {
    bucket: bucket.bucket,
    policy: bucket.arn.apply((arn) => JSON.stringify(stateBucketPolicy(arn))),
  },
  bucketOpts,
);
// Only replaced versions expire: a current object under .pulumi/ (state, history, locks) never does.
new BucketLifecycleConfiguration(
  "state-lifecycle",
  {
    bucket: bucket.bucket,
    rules: [
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ],
  },
  { ...bucketOpts, dependsOn: [versioning] },
);

// One per URL per account: a second account-wide bootstrap would collide, by design.
const github = new OpenIdConnectProvider(
  "github-actions",
  { url: GITHUB_OIDC_URL, clientIdLists: [STS_AUDIENCE], tags },
  protect,
);

const PURPOSE: Record<RoleKind, string> = {
  deploy: "pulumi up",
  preview: "pulumi preview and drift checks",
  backup: "nightly database backup, integrity checks and recovery drills",
};
const POLICY = { deploy: deployPolicy, preview: previewPolicy, backup: backupPolicy };

const roles: Record<string, Record<RoleKind, pulumi.Output<string>>> = {};
for (const env of environments) {
  roles[env] = {} as Record<RoleKind, pulumi.Output<string>>;
  for (const kind of ["deploy", "preview", "backup"] as const) {
    const role = new Role(
      `ci-${env}-${kind}`,
      {
        name: `ara-ci-${env}-${kind}`,
        description: `GitHub Actions (${repository}, environment ${githubEnvironment(env, kind)}): ${PURPOSE[kind]} of stack ${env}`,
        assumeRolePolicy: github.arn.apply((arn) =>
          JSON.stringify(trustPolicy(arn, repository, githubEnvironment(env, kind))),
        ),
        maxSessionDuration: 3600,
        tags: { ...tags, "ara:stack": env },
      },
      protect,
    );
    const names = key.arn.apply((keyArn) => ({
      accountId,
      env,
      stateBucket: stateBucketName,
      keyArn,
    }));
    new RolePolicy(
      `ci-${env}-${kind}-policy`,
      {
        role: role.name,
        name: kind,
        policy: names.apply((n) => JSON.stringify(POLICY[kind](n))),
      },
      { ...protect, parent: role },
    );
    roles[env][kind] = role.arn;
  }
}

/** What the GitHub environments need as variables (not secrets): see docs/operations.md. */
export const stateBucket = bucket.bucket;
export const backendUrl = pulumi.interpolate`s3://${bucket.bucket}?region=${new pulumi.Config("aws").require("region")}`;
export const secretsProvider = pulumi.interpolate`awskms://${alias.name}?region=${new pulumi.Config("aws").require("region")}`;
export const ciRoles = roles;
