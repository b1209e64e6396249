import type { StackValidationPolicy } from "@pulumi/policy";
import { label, refersTo, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "alerts-not-email-only",
  description:
    "No alert topic's only destination is an email subscription, which stays pending until someone confirms it.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Turn on ara:oncall.pagerduty: the alert topic then gets PagerDuty's self-confirming HTTPS subscription (components/monitoring).",
};

/**
 * An SNS email subscription does nothing until its recipient clicks a link; a topic with only
 * those (budgets, replication failures) can alert into the void for months.
 * @severity high
 */
export function alertsNotEmailOnly(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const topics = args.resources.filter((r) => r.type === T.snsTopic);
    if (topics.length === 0) args.notApplicable("the stack has no SNS topic");
    const subs = args.resources.filter((r) => r.type === T.snsSubscription);
    for (const topic of topics) {
      const mine = subs.filter((s) => refersTo(s, topic, "topic", ["arn"]));
      const confirmed = mine.filter(
        (s) => !["email", "email-json"].includes(String(s.props.protocol)),
      );
      if (confirmed.length === 0) {
        report(
          `${label(topic)}: ${mine.length === 0 ? "nothing subscribes to it" : "its only subscriptions are email, which stay pending until confirmed"}; alerts published there reach nobody.`,
        );
      }
    }
  });
}
