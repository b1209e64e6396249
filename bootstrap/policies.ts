/**
 * The IAM documents of the bootstrap, as pure functions of names, so the tests can read exactly
 * what each CI role may do. Every resource ARN is scoped to one environment's names
 * (components/naming.ts: `ara-<stack>-<name>`), to the state bucket, or to the key.
 */

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
/** The audience aws-actions/configure-aws-credentials requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";

export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  /** Absent in a trust policy, whose subject is the role itself. */
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** A deploy role runs `pulumi up` from the environment itself; a preview role only reads. */
export type RoleKind = "deploy" | "preview" | "backup";

/**
 * The GitHub environment a role trusts: `<env>` for deploys (the environment with protection
 * rules; prod requires a reviewer), `<env>-preview` for previews and drift checks, and
 * `<env>-backup` for the scheduled backup, integrity and drill jobs, which must run unattended
 * and so cannot wait for prod's reviewer.
 */
export const githubEnvironment = (env: string, kind: RoleKind) =>
  kind === "deploy" ? env : `${env}-${kind}`;

/** Trust: only this repository's jobs that run in the given GitHub environment. */
export function trustPolicy(
  oidcProviderArn: string,
  repository: string,
  githubEnv: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsEnvironment",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository}:environment:${githubEnv}`,
          },
        },
      },
    ],
  };
}

export interface Names {
  accountId: string;
  env: string;
  stateBucket: string;
  keyArn: string;
}

const arns = ({ accountId, env, stateBucket }: Names) => ({
  topic: [
    `arn:aws:sns:*:${accountId}:ara-${env}-alerts`,
    `arn:aws:sns:*:${accountId}:ara-${env}-alerts:*`,
  ],
  budget: `arn:aws:budgets::${accountId}:budget/ara-${env}-*`,
  replicaBucket: `arn:aws:s3:::ara-${env}-reports-replica-*`,
  replicaObjects: `arn:aws:s3:::ara-${env}-reports-replica-*/*`,
  backupBucket: `arn:aws:s3:::ara-${env}-database-backup-*`,
  backupObjects: `arn:aws:s3:::ara-${env}-database-backup-*/*`,
  user: `arn:aws:iam::${accountId}:user/ara-${env}-*`,
  state: `arn:aws:s3:::${stateBucket}`,
  stateObjects: `arn:aws:s3:::${stateBucket}/.pulumi/*`,
  locks: `arn:aws:s3:::${stateBucket}/.pulumi/locks/*`,
});

/** What the provider reads back when it refreshes or diffs an S3 bucket and its settings. */
const S3_BUCKET_READ = [
  "s3:ListBucket",
  "s3:GetBucketLocation",
  "s3:GetBucketTagging",
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration",
  "s3:GetBucketPublicAccessBlock",
  "s3:GetBucketOwnershipControls",
  "s3:GetLifecycleConfiguration",
  "s3:GetBucketPolicy",
  "s3:GetBucketAcl",
  "s3:GetBucketCORS",
  "s3:GetBucketWebsite",
  "s3:GetBucketLogging",
  "s3:GetAccelerateConfiguration",
  "s3:GetBucketRequestPayment",
  "s3:GetReplicationConfiguration",
  "s3:GetBucketObjectLockConfiguration",
];

/**
 * The deploy role: what `pulumi up` of one environment needs for the program's AWS resources
 * (components/monitoring: the SNS alert topic, its policy and subscriptions, the AWS budget;
 * components/storage in prod: the versioned S3 replica bucket and its settings, the replicator's
 * IAM user, access key and inline policy; components/database in prod: the cross-region backup
 * bucket and its settings), plus the state and the secrets key.
 */
export function deployPolicy(n: Names): PolicyDocument {
  const a = arns(n);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AlertTopic",
        Effect: "Allow",
        Action: [
          "sns:CreateTopic",
          "sns:DeleteTopic",
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:ListSubscriptionsByTopic",
          "sns:Subscribe",
          "sns:Unsubscribe",
          "sns:GetSubscriptionAttributes",
          "sns:SetSubscriptionAttributes",
          "sns:TagResource",
          "sns:UntagResource",
          "sns:ListTagsForResource",
        ],
        Resource: a.topic,
      },
      {
        Sid: "Budget",
        Effect: "Allow",
        // ModifyBudget covers creating, updating and deleting a budget and its notifications.
        Action: [
          "budgets:ViewBudget",
          "budgets:ModifyBudget",
          "budgets:TagResource",
          "budgets:UntagResource",
          "budgets:ListTagsForResource",
        ],
        Resource: a.budget,
      },
      {
        Sid: "ReplicaBucket",
        Effect: "Allow",
        Action: [
          ...S3_BUCKET_READ,
          "s3:CreateBucket",
          "s3:DeleteBucket",
          "s3:PutBucketTagging",
          "s3:PutBucketVersioning",
          "s3:PutEncryptionConfiguration",
          "s3:PutBucketPublicAccessBlock",
          "s3:PutBucketOwnershipControls",
          "s3:PutLifecycleConfiguration",
          "s3:PutBucketPolicy",
          "s3:DeleteBucketPolicy",
        ],
        Resource: [a.replicaBucket, a.backupBucket],
      },
      {
        Sid: "ReplicatorUser",
        Effect: "Allow",
        Action: [
          "iam:CreateUser",
          "iam:DeleteUser",
          "iam:GetUser",
          "iam:TagUser",
          "iam:UntagUser",
          "iam:ListUserTags",
          "iam:CreateAccessKey",
          "iam:DeleteAccessKey",
          "iam:ListAccessKeys",
          "iam:PutUserPolicy",
          "iam:GetUserPolicy",
          "iam:DeleteUserPolicy",
          "iam:ListUserPolicies",
          "iam:ListAttachedUserPolicies",
          "iam:ListGroupsForUser",
        ],
        Resource: a.user,
      },
      ...stateStatements(n, "deploy"),
    ],
  };
}

/**
 * The preview role: `pulumi preview` and `pulumi refresh --preview-only` (the drift check) read
 * the same resources and change none; the only writes are the backend's lock files.
 */
export function previewPolicy(n: Names): PolicyDocument {
  const a = arns(n);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AlertTopicRead",
        Effect: "Allow",
        Action: [
          "sns:GetTopicAttributes",
          "sns:ListSubscriptionsByTopic",
          "sns:GetSubscriptionAttributes",
          "sns:ListTagsForResource",
        ],
        Resource: a.topic,
      },
      {
        Sid: "BudgetRead",
        Effect: "Allow",
        Action: ["budgets:ViewBudget", "budgets:ListTagsForResource"],
        Resource: a.budget,
      },
      {
        Sid: "ReplicaBucketRead",
        Effect: "Allow",
        Action: S3_BUCKET_READ,
        Resource: [a.replicaBucket, a.backupBucket],
      },
      {
        Sid: "ReplicatorUserRead",
        Effect: "Allow",
        Action: [
          "iam:GetUser",
          "iam:ListUserTags",
          "iam:ListAccessKeys",
          "iam:GetUserPolicy",
          "iam:ListUserPolicies",
          "iam:ListAttachedUserPolicies",
        ],
        Resource: a.user,
      },
      ...stateStatements(n, "preview"),
    ],
  };
}

/**
 * The backup role: the nightly `npm run backup` writes and reads back dumps, the integrity
 * check and the storage drill read the report replica, and a mismatch is published to the
 * alert topic. It cannot delete or overwrite history (the buckets are versioned), and it
 * reaches neither the state nor the secrets key.
 */
export function backupPolicy(n: Names): PolicyDocument {
  const a = arns(n);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "BackupList", Effect: "Allow", Action: ["s3:ListBucket"], Resource: a.backupBucket },
      {
        Sid: "BackupObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject"],
        Resource: a.backupObjects,
      },
      {
        Sid: "ReplicaList",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:ListBucketVersions"],
        Resource: a.replicaBucket,
      },
      {
        Sid: "ReplicaRead",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: a.replicaObjects,
      },
      { Sid: "AlertPublish", Effect: "Allow", Action: ["sns:Publish"], Resource: a.topic },
    ],
  };
}

function stateStatements(n: Names, kind: "deploy" | "preview"): Statement[] {
  const a = arns(n);
  return [
    {
      Sid: "StateList",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation"],
      Resource: a.state,
    },
    kind === "deploy"
      ? {
          Sid: "StateReadWrite",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: a.stateObjects,
        }
      : { Sid: "StateRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: a.stateObjects },
    ...(kind === "preview"
      ? [
          {
            Sid: "StateLocks",
            Effect: "Allow" as const,
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: a.locks,
          },
        ]
      : []),
    {
      Sid: "SecretsKey",
      Effect: "Allow",
      // Decrypt reads secrets and SSE-KMS objects; GenerateDataKey writes SSE-KMS objects (the
      // lock files too); Encrypt stores new secrets, which only a deploy does.
      Action:
        kind === "deploy"
          ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
          : ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: n.keyArn,
    },
  ];
}

/** The state bucket refuses any request that is not over TLS 1.2 or later. */
export function stateBucketPolicy(bucketArn: string): PolicyDocument {
  const resources = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyTlsBelow12",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: resources,
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      },
    ],
  };
}
