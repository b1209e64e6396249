import {
  EMAIL,
  arn,
  jsonPolicy,
  length,
  oneOf,
  pattern,
  range,
  rule,
  show,
  type ArgRule,
  type TypeEntry,
} from "../rule";

/** AWS's argument rules: from the SDK's `.d.ts` where it states them, otherwise AWS's API references. */

const D = "node_modules/@pulumi/aws";

/** Commercial, GovCloud and China regions (https://docs.aws.amazon.com/general/latest/gr/rande.html). */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
  "cn-north-1",
  "cn-northwest-1",
] as const;

export const awsRegion = oneOf(AWS_REGIONS, {
  source: "https://docs.aws.amazon.com/general/latest/gr/rande.html#regional-endpoints",
  fix: "set ara:awsRegion / ara:storage.replica.region to an AWS region code such as us-west-2",
});

/** S3 bucket names: 3–63, lowercase letters, digits, '.', '-', starting and ending alphanumeric. */
export const S3_BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_NAMING = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";
const bucketName = pattern(
  S3_BUCKET_NAME,
  "an S3 bucket name: 3–63 characters, a-z, 0-9, '.' and '-'",
  {
    source: S3_NAMING,
    fix: "pass the Bucket resource's bucket output",
  },
);

/** S3 appends 26 characters to a bucketPrefix, so the prefix may be at most 37. */
export const S3_BUCKET_PREFIX = /^[a-z0-9][a-z0-9.-]{0,36}$/;
const bucketPrefix = pattern(
  S3_BUCKET_PREFIX,
  "≤ 37 characters (S3 appends 26), a-z, 0-9, '.' and '-', starting alphanumeric",
  {
    source: `${D}/s3/bucket.d.ts`,
    fix: "bucket prefixes come from components/naming.ts (ara-<stack>-reports-replica-): shorten the stack name",
  },
);

export const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const iamUser = pattern(IAM_USER_NAME, "1–64 characters: letters, digits and + = , . @ _ -", {
  source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html",
  fix: "IAM user names come from components/naming.ts; keep them ≤ 64 characters",
});

export const SNS_TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const snsTopicArn = arn("sns", {
  source: `${D}/sns/topicSubscription.d.ts`,
  fix: "pass the Topic resource's arn output",
});
const region = awsRegion;
const policy = jsonPolicy({
  source:
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
  fix: 'build the policy with Version "2012-10-17" and Effect Allow|Deny statements (pulumi.jsonStringify)',
});

const BUDGETS =
  "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html";
const NOTIFY =
  "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html";

const lifecycleDays = (what: string): ArgRule =>
  range(1, 2_147_483_647, {
    source: `${D}/types/input.d.ts (s3.BucketLifecycleConfigurationRule)`,
    fix: `set ${what} to a whole number of days ≥ 1`,
  });

export const aws: Record<string, TypeEntry> = {
  "pulumi:providers:aws": {
    source: `${D}/provider.d.ts`,
    args: { region: [region] },
  },
  "aws:s3/bucket:Bucket": {
    source: `${D}/s3/bucket.d.ts`,
    args: {
      bucket: [bucketName],
      bucketPrefix: [bucketPrefix],
      region: [region],
    },
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    source: `${D}/s3/bucketLifecycleConfiguration.d.ts`,
    args: {
      bucket: [bucketName],
      region: [region],
      "rules[].id": [
        length(1, 255, {
          source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html",
          fix: "keep rule ids ≤ 255 characters",
        }),
      ],
      "rules[].status": [
        oneOf(["Enabled", "Disabled"], {
          source: `${D}/types/input.d.ts (s3.BucketLifecycleConfigurationRule)`,
          fix: 'use "Enabled" (capitalised)',
        }),
      ],
      "rules[].expiration.days": [lifecycleDays("the expiry")],
      "rules[].noncurrentVersionExpiration.noncurrentDays": [
        lifecycleDays("ara:storage.replica.noncurrentVersionExpiryDays"),
      ],
      "rules[].abortIncompleteMultipartUpload.daysAfterInitiation": [
        lifecycleDays("ara:storage.abortMultipartAfterDays"),
      ],
      "rules[].transitions[].storageClass": [
        oneOf(
          [
            "GLACIER",
            "STANDARD_IA",
            "ONEZONE_IA",
            "INTELLIGENT_TIERING",
            "DEEP_ARCHIVE",
            "GLACIER_IR",
          ],
          { source: `${D}/types/input.d.ts`, fix: "use an S3 storage class in upper case" },
        ),
      ],
    },
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    source: `${D}/s3/bucketOwnershipControls.d.ts`,
    args: {
      bucket: [bucketName],
      region: [region],
      "rule.objectOwnership": [
        oneOf(["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"], {
          source: `${D}/types/input.d.ts (s3.BucketOwnershipControlsRule)`,
          fix: 'use "BucketOwnerEnforced"',
        }),
      ],
    },
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    source: `${D}/s3/bucketPolicy.d.ts`,
    args: { bucket: [bucketName], region: [region], policy: [policy] },
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    source: `${D}/s3/bucketPublicAccessBlock.d.ts`,
    args: { bucket: [bucketName], region: [region] },
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    source: `${D}/s3/bucketServerSideEncryptionConfiguration.d.ts`,
    args: {
      bucket: [bucketName],
      region: [region],
      "rules[].applyServerSideEncryptionByDefault.sseAlgorithm": [
        oneOf(["AES256", "aws:kms", "aws:kms:dsse"], {
          source: `${D}/types/input.d.ts (s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefault)`,
          fix: 'use "AES256" or "aws:kms"',
        }),
      ],
    },
    relations: [
      {
        arg: "rules",
        rule: "exactly one encryption rule",
        source:
          "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionConfiguration.html",
        fix: "declare one rule",
        test: (i) =>
          Array.isArray(i.rules) && i.rules.length !== 1
            ? `has ${i.rules.length} rules`
            : undefined,
      },
    ],
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    source: `${D}/s3/bucketVersioning.d.ts`,
    args: {
      bucket: [bucketName],
      region: [region],
      "versioningConfiguration.status": [
        oneOf(["Enabled", "Suspended"], {
          source: `${D}/types/input.d.ts (s3.BucketVersioningVersioningConfiguration)`,
          fix: 'use "Enabled" ("Disabled" is only for importing a never-versioned bucket)',
        }),
      ],
    },
  },
  "aws:sns/topic:Topic": {
    source: `${D}/sns/topic.d.ts`,
    args: {
      name: [
        rule(
          "1–256 characters: letters, digits, '_' and '-' (a FIFO topic ends in .fifo)",
          { source: `${D}/sns/topic.d.ts`, fix: "topic names come from components/naming.ts" },
          (v) =>
            typeof v === "string" &&
            SNS_TOPIC_NAME.test(v.replace(/\.fifo$/, "")) &&
            v.length <= 256
              ? undefined
              : `${show(v)} is not a valid topic name`,
        ),
      ],
    },
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    source: `${D}/sns/topicPolicy.d.ts`,
    args: { arn: [snsTopicArn], policy: [policy] },
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    source: `${D}/sns/topicSubscription.d.ts`,
    args: {
      topic: [snsTopicArn],
      protocol: [
        oneOf(
          [
            "application",
            "email",
            "email-json",
            "firehose",
            "http",
            "https",
            "lambda",
            "sms",
            "sqs",
          ],
          { source: `${D}/sns/topicSubscription.d.ts`, fix: 'use "email" for alert addresses' },
        ),
      ],
    },
    relations: [
      {
        arg: "endpoint",
        rule: "the endpoint fits the protocol: email an address, https an https:// URL, sqs/lambda/firehose an ARN",
        source: "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html",
        fix: "set ara:monitoring.alertEmails to email addresses",
        test: (i) => {
          const e = i.endpoint;
          if (typeof e !== "string" || typeof i.protocol !== "string") return undefined;
          if ((i.protocol === "email" || i.protocol === "email-json") && !EMAIL.test(e))
            return `${show(e)} is not an email address`;
          if (i.protocol === "https" && !/^https:\/\/[^\s]+$/.test(e))
            return `${show(e)} is not an https:// URL`;
          if (i.protocol === "http" && !/^http:\/\/[^\s]+$/.test(e))
            return `${show(e)} is not an http:// URL`;
          if (
            ["sqs", "lambda", "firehose", "application"].includes(i.protocol) &&
            !e.startsWith("arn:")
          )
            return `${show(e)} is not an ARN`;
          return undefined;
        },
      },
    ],
  },
  "aws:sesv2/emailIdentity:EmailIdentity": {
    source: `${D}/sesv2/emailIdentity.d.ts`,
    args: {
      emailIdentity: [
        pattern(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lowercase domain name", {
          source: `${D}/sesv2/emailIdentity.d.ts`,
          fix: "set ara:domain and ara:email.sendingSubdomain to DNS names",
        }),
      ],
      "dkimSigningAttributes.nextSigningKeyLength": [
        oneOf(["RSA_1024_BIT", "RSA_2048_BIT"], {
          source: `${D}/types/input.d.ts (sesv2.EmailIdentityDkimSigningAttributes)`,
          fix: "use RSA_2048_BIT",
        }),
      ],
    },
  },
  "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": {
    source: `${D}/sesv2/emailIdentityMailFromAttributes.d.ts`,
    args: {
      behaviorOnMxFailure: [
        oneOf(["USE_DEFAULT_VALUE", "REJECT_MESSAGE"], {
          source: `${D}/sesv2/emailIdentityMailFromAttributes.d.ts`,
          fix: "use USE_DEFAULT_VALUE or REJECT_MESSAGE",
        }),
      ],
    },
  },
  "aws:sesv2/configurationSet:ConfigurationSet": {
    source: `${D}/sesv2/configurationSet.d.ts`,
    args: {
      configurationSetName: [
        pattern(/^[A-Za-z0-9_-]{1,64}$/, "1–64 letters, digits, '_' and '-'", {
          source:
            "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateConfigurationSet.html",
          fix: "configuration set names come from components/naming.ts",
        }),
      ],
    },
  },
  "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": {
    source: `${D}/sesv2/configurationSetEventDestination.d.ts`,
    args: {
      "eventDestination.matchingEventTypes[]": [
        oneOf(
          [
            "SEND",
            "REJECT",
            "BOUNCE",
            "COMPLAINT",
            "DELIVERY",
            "OPEN",
            "CLICK",
            "RENDERING_FAILURE",
            "DELIVERY_DELAY",
            "SUBSCRIPTION",
          ],
          {
            source:
              "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_EventDestination.html",
            fix: "use SES v2 event type names in capitals, such as BOUNCE",
          },
        ),
      ],
    },
  },
  "aws:iam/user:User": {
    source: `${D}/iam/user.d.ts`,
    args: { name: [iamUser] },
  },
  "aws:iam/accessKey:AccessKey": {
    source: `${D}/iam/accessKey.d.ts`,
    args: { user: [iamUser] },
  },
  "aws:iam/userPolicy:UserPolicy": {
    source: `${D}/iam/userPolicy.d.ts`,
    args: {
      user: [iamUser],
      policy: [
        policy,
        rule(
          "at most 2048 characters without whitespace (inline user policy quota)",
          {
            source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
            fix: "trim the inline policy or use a managed policy",
          },
          (v) =>
            typeof v !== "string"
              ? "is not a string"
              : v.replace(/\s/g, "").length > 2048
                ? `is ${v.replace(/\s/g, "").length} characters`
                : undefined,
        ),
      ],
    },
  },
  "aws:budgets/budget:Budget": {
    source: `${D}/budgets/budget.d.ts`,
    args: {
      name: [
        pattern(/^[^:\\]{1,100}$/, "1–100 characters without ':' or '\\'", {
          source: BUDGETS,
          fix: "budget names come from components/naming.ts",
        }),
      ],
      budgetType: [
        oneOf(
          [
            "USAGE",
            "COST",
            "RI_UTILIZATION",
            "RI_COVERAGE",
            "SAVINGS_PLANS_UTILIZATION",
            "SAVINGS_PLANS_COVERAGE",
          ],
          { source: `${D}/budgets/budget.d.ts`, fix: 'use "COST"' },
        ),
      ],
      timeUnit: [
        oneOf(["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"], {
          source: `${D}/budgets/budget.d.ts`,
          fix: 'use "MONTHLY"',
        }),
      ],
      limitAmount: [
        pattern(/^\d+(\.\d{1,2})?$/, 'a decimal amount as a string, e.g. "10.00"', {
          source: BUDGETS,
          fix: "set ara:monitoring.awsBudgetUsd to a whole number of dollars",
        }),
      ],
      limitUnit: [oneOf(["USD"], { source: BUDGETS, fix: 'cost budgets are in "USD"' })],
      "costFilters[].name": [
        oneOf(
          [
            "AZ",
            "BillingEntity",
            "CostCategory",
            "InstanceType",
            "InvoicingEntity",
            "LegalEntityName",
            "LinkedAccount",
            "Operation",
            "PurchaseType",
            "Region",
            "Service",
            "TagKeyValue",
            "UsageType",
            "UsageTypeGroup",
            "RecordType",
            "OperatingSystem",
            "TenancyType",
            "ScopeServiceName",
            "ScopeUsageType",
            "Platform",
            "CacheEngine",
            "DatabaseEngine",
            "DeploymentOption",
            "SavingsPlanArn",
            "SavingsPlansType",
            "ResourceId",
            "PaymentOption",
          ],
          { source: `${D}/budgets/budget.d.ts`, fix: 'filter by "TagKeyValue"' },
        ),
      ],
      "notifications[].notificationType": [
        oneOf(["ACTUAL", "FORECASTED"], { source: NOTIFY, fix: 'use "ACTUAL" or "FORECASTED"' }),
      ],
      "notifications[].comparisonOperator": [
        oneOf(["GREATER_THAN", "LESS_THAN", "EQUAL_TO"], {
          source: NOTIFY,
          fix: 'use "GREATER_THAN"',
        }),
      ],
      "notifications[].thresholdType": [
        oneOf(["PERCENTAGE", "ABSOLUTE_VALUE"], { source: NOTIFY, fix: 'use "PERCENTAGE"' }),
      ],
      "notifications[].threshold": [
        range(
          0,
          1_000_000_000,
          { source: NOTIFY, fix: "set ara:monitoring.budgetAlertPercents to positive percentages" },
          { integer: false, text: "a number ≥ 0 (a percentage for PERCENTAGE)" },
        ),
      ],
      "notifications[].subscriberSnsTopicArns[]": [snsTopicArn],
    },
    relations: [
      {
        arg: "costFilters",
        rule: 'TagKeyValue values are "user:<key>$<value>"',
        source:
          "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create-filters.html",
        fix: 'write tag filters as "user:stack$<stack>" and activate the tag as a cost allocation tag',
        test: (i) => {
          if (!Array.isArray(i.costFilters)) return undefined;
          for (const f of i.costFilters as { name?: string; values?: unknown[] }[]) {
            if (f.name !== "TagKeyValue" || !Array.isArray(f.values)) continue;
            const bad = f.values.find(
              (v) => typeof v !== "string" || !/^(user|aws):[^$]+\$.*$/.test(v),
            );
            if (bad !== undefined) return `${show(bad)} is not user:<key>$<value>`;
          }
          return undefined;
        },
      },
      {
        arg: "notifications",
        rule: "at most 5 notifications per budget, each with 1–10 subscribers",
        source: "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-limits.html",
        fix: "keep ara:monitoring.budgetAlertPercents to at most 4 entries (one forecast alert is added)",
        test: (i) => {
          if (!Array.isArray(i.notifications)) return undefined;
          if (i.notifications.length > 5) return `has ${i.notifications.length} notifications`;
          for (const [n, x] of (
            i.notifications as Record<string, unknown[] | undefined>[]
          ).entries()) {
            const count =
              (x.subscriberSnsTopicArns?.length ?? 0) + (x.subscriberEmailAddresses?.length ?? 0);
            if (count < 1 || count > 10) return `notifications[${n}] has ${count} subscribers`;
          }
          return undefined;
        },
      },
    ],
  },
};
