import * as pulumi from "@pulumi/pulumi";
import { Budget } from "@pulumi/aws/budgets/budget";
import { Topic } from "@pulumi/aws/sns/topic";
import { TopicPolicy } from "@pulumi/aws/sns/topicPolicy";
import { TopicSubscription } from "@pulumi/aws/sns/topicSubscription";
import { Healthcheck } from "@pulumi/cloudflare/healthcheck";
import { NotificationPolicy } from "@pulumi/cloudflare/notificationPolicy";
import { AraComponent } from "../component";

/** An HTTPS endpoint that answers 200 only when its service and dependencies are healthy. */
export interface HealthEndpoint {
  /** Short role name, e.g. `app`; it names the check. */
  role: string;
  /** Hostname, e.g. `app.ara-audit.com`. */
  host: pulumi.Input<string>;
  /** Path, e.g. `/api/ready`. */
  path: pulumi.Input<string>;
}

/**
 * Settings of the `Monitoring` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface MonitoringArgs {
  /** Where alerts go: each address receives the alert topic and the health-check alerts. */
  alertEmails: string[];
  /** Cloudflare account (notification policies) and zone (health checks). */
  accountId: pulumi.Input<string>;
  zoneId: pulumi.Input<string>;
  /**
   * Standalone health checks from Cloudflare's edge, with an alert when one turns unhealthy.
   * They need a Pro zone or better, so whether they exist is plain config.
   */
  healthChecks: {
    enabled: boolean;
    intervalSeconds: pulumi.Input<number>;
    consecutiveFails: pulumi.Input<number>;
  };
  /** The endpoints to check. */
  endpoints: HealthEndpoint[];
  /**
   * Monthly cap of the stack's AWS spend in USD. AWS Budgets sees only AWS, so this is not
   * the stack's whole budget: that one is enforced before each deploy by the policy pack.
   */
  awsBudgetUsd: number;
  /**
   * Alert when actual AWS spend passes each of these percentages of `awsBudgetUsd`; a
   * forecast over 100% alerts too.
   */
  budgetAlertPercents: number[];
  /** The `stack` cost-allocation tag value the AWS provider puts on every AWS resource. */
  stackTag: pulumi.Input<string>;
  /**
   * Daily AWS spend ceiling in USD (`ara:budget.dailyUsd`), alerted by a daily budget; null for
   * none.
   */
  dailyBudgetUsd: number | null;
  /**
   * On-call (components/oncall): the alert topic's HTTPS subscription to PagerDuty (it confirms
   * itself, so no alert waits on a human) and the address health checks email. Absent: email only.
   */
  pager?: {
    /** `https://events.pagerduty.com/integration/<key>/enqueue` of the topic's service. Secret. */
    topicEndpoint: pulumi.Input<string>;
    /** The email integration of the service health-check alerts route to. Secret. */
    healthEmail?: pulumi.Input<string>;
  };
  /** Also email `alertEmails` (the secondary channel). Without a pager, email is the only path. */
  email: boolean;
  /** Let SES publish its bounce, complaint and reject events (components/email) to the topic. */
  sesEvents?: boolean;
}

/**
 * The `Monitoring` component turns health and spend into alerts:
 * - an SNS topic with an email subscription per address, the stack's alert hub;
 * - Cloudflare health checks on the app's readiness and the signer's health, probed from two
 *   regions, and a notification policy that emails when one changes state;
 * - an AWS budget on the stack's tagged AWS spend, alerting at each threshold of its cap and
 *   on a forecast overrun.
 *
 * The other vendors' spend is bounded elsewhere: Upstash by the cache's own `budget` cap, and
 * every vendor by the policy pack's estimate before a deploy (docs/cost.md).
 *
 * #### Minimal example
 * ```ts
 * new Monitoring("monitoring", { alertEmails: ["oncall@ara-audit.com"], accountId, zoneId,
 *   healthChecks: { enabled: true, intervalSeconds: 60, consecutiveFails: 2 },
 *   endpoints: [{ role: "app", host: "app.ara-audit.com", path: "/api/ready" }],
 *   awsBudgetUsd: 10, budgetAlertPercents: [80, 100], stackTag: "prod" },
 *   { providers: [cloudflare, aws] });
 * ```
 */
export class Monitoring extends AraComponent {
  /** ARN of the alert topic; publish here to reach on-call. */
  public readonly alertTopicArn: pulumi.Output<string>;
  /** IDs of the Cloudflare health checks (empty where they are disabled). */
  public readonly healthCheckIds: pulumi.Output<string[]>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:monitoring:Monitoring", name, opts);

    const topic = new Topic(
      `${name}-alerts`,
      { name: this.physical("alerts", "aws") },
      { parent: this },
    );
    // AWS Budgets publishes to the topic only if the topic's policy lets it.
    new TopicPolicy(
      `${name}-alerts-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AllowBudgetsToPublish",
              Effect: "Allow",
              Principal: { Service: "budgets.amazonaws.com" },
              Action: "SNS:Publish",
              Resource: topic.arn,
            },
            ...(args.sesEvents
              ? [
                  {
                    Sid: "AllowSesEventsToPublish",
                    Effect: "Allow",
                    Principal: { Service: "ses.amazonaws.com" },
                    Action: "SNS:Publish",
                    Resource: topic.arn,
                  },
                ]
              : []),
          ],
        }),
      },
      { parent: this },
    );
    if (args.pager) {
      // PagerDuty's SNS integration confirms the subscription itself: from the first deploy,
      // a budget or replication alert opens an incident without anyone clicking a link.
      new TopicSubscription(
        `${name}-alerts-pagerduty`,
        {
          topic: topic.arn,
          protocol: "https",
          endpoint: args.pager.topicEndpoint,
          endpointAutoConfirms: true,
          rawMessageDelivery: false,
        },
        { parent: this },
      );
    }
    const emails = args.email || !args.pager ? args.alertEmails : [];
    emails.forEach(
      (email, i) =>
        // Email subscriptions stay pending until the recipient confirms: a secondary channel,
        // never the only one where the stack pages.
        new TopicSubscription(
          `${name}-alerts-email-${i}`,
          { topic: topic.arn, protocol: "email", endpoint: email },
          { parent: this },
        ),
    );

    const checks = args.healthChecks.enabled
      ? args.endpoints.map(
          (e) =>
            new Healthcheck(
              `${name}-check-${e.role}`,
              {
                zoneId: args.zoneId,
                name: this.physical(e.role, "healthcheck"),
                description: pulumi.interpolate`HTTPS GET ${e.host}${e.path} answers 200`,
                address: e.host,
                type: "HTTPS",
                httpConfig: {
                  method: "GET",
                  path: e.path,
                  port: 443,
                  expectedCodes: ["200"],
                  followRedirects: false,
                  allowInsecure: false,
                },
                checkRegions: ["ENAM", "WNAM"],
                interval: args.healthChecks.intervalSeconds,
                consecutiveFails: args.healthChecks.consecutiveFails,
                consecutiveSuccesses: 2,
                retries: 2,
                timeout: 5,
              },
              { parent: this },
            ),
        )
      : [];
    if (checks.length > 0) {
      new NotificationPolicy(
        `${name}-health-alert`,
        {
          accountId: args.accountId,
          name: this.physical("health", "generic"),
          description: "A health check changed state.",
          alertType: "health_check_status_notification",
          enabled: true,
          filters: { healthCheckIds: checks.map((c) => c.id), statuses: ["Unhealthy", "Healthy"] },
          // Cloudflare emails on every plan (webhooks need Pro, PagerDuty Business): PagerDuty's
          // email integration turns the message into an incident.
          mechanisms: {
            emails: [
              ...(args.pager?.healthEmail ? [{ id: args.pager.healthEmail }] : []),
              ...emails.map((id) => ({ id })),
            ],
          },
        },
        { parent: this },
      );
    }

    new Budget(
      `${name}-aws-budget`,
      {
        name: this.physical("aws-spend", "aws"),
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: args.awsBudgetUsd.toFixed(2),
        limitUnit: "USD",
        // Only this stack's AWS resources: the AWS provider tags each with its stack.
        costFilters: [
          { name: "TagKeyValue", values: [pulumi.interpolate`user:stack$${args.stackTag}`] },
        ],
        notifications: [
          ...args.budgetAlertPercents.map((threshold) => ({
            comparisonOperator: "GREATER_THAN",
            notificationType: "ACTUAL",
            threshold,
            thresholdType: "PERCENTAGE",
            subscriberSnsTopicArns: [topic.arn],
          })),
          {
            comparisonOperator: "GREATER_THAN",
            notificationType: "FORECASTED",
            threshold: 100,
            thresholdType: "PERCENTAGE",
            subscriberSnsTopicArns: [topic.arn],
          },
        ],
      },
      { parent: this },
    );

    if (args.dailyBudgetUsd !== null) {
      // ARA's "daily usage > $20": AWS Budgets sees only AWS, so this guards the AWS share at
      // runtime; the policy pack's estimate guards the whole stack before each deploy.
      new Budget(
        `${name}-aws-daily-budget`,
        {
          name: this.physical("aws-daily-spend", "aws"),
          budgetType: "COST",
          timeUnit: "DAILY",
          limitAmount: args.dailyBudgetUsd.toFixed(2),
          limitUnit: "USD",
          costFilters: [
            { name: "TagKeyValue", values: [pulumi.interpolate`user:stack$${args.stackTag}`] },
          ],
          notifications: [
            {
              comparisonOperator: "GREATER_THAN",
              notificationType: "ACTUAL",
              threshold: 100,
              thresholdType: "PERCENTAGE",
              subscriberSnsTopicArns: [topic.arn],
            },
          ],
        },
        { parent: this },
      );
    }

    this.alertTopicArn = topic.arn;
    this.healthCheckIds = pulumi.all(checks.map((c) => c.id));
    this.registerOutputs({
      alertTopicArn: this.alertTopicArn,
      healthCheckIds: this.healthCheckIds,
    });
  }
}
