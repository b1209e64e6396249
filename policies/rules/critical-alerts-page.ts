import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asString, label, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "critical-alerts-page",
  description:
    "Every critical alert routes to a PagerDuty service of constant high urgency, and no maintenance window mutes it.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediation:
    "Route critical to a priority of high urgency in ara:oncall (routing and priorities, stacks/presets.ts), and keep mute timings off the critical route (components/oncall/grafana.ts).",
};

type Route = Record<string, any>;

/** Every route of a notification-policy tree, depth first. */
function routes(tree: Route[]): Route[] {
  return tree.flatMap((r) => [r, ...routes(asArray(r.policies) as Route[])]);
}

const isCritical = (r: Route) =>
  (asArray(r.matchers) as Route[]).some(
    (m) => m.label === "severity" && m.match === "=" && m.value === "critical",
  );

/**
 * A critical alert (production down, errors, latency, the database pool) that only reaches an
 * inbox, or pages at low urgency, or is muted by a maintenance window, reaches nobody at night.
 * The contact point names its service in the event's `group`, so this needs no routing key.
 * @severity critical
 */
export function criticalAlertsPage(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const rules = args.resources.filter((r) => r.type === T.grafanaRuleGroup);
    const hasCritical = rules.some((g) =>
      (asArray(g.props.rules) as Route[]).some((r) => r.labels?.severity === "critical"),
    );
    if (!hasCritical) args.notApplicable("the stack has no critical alert rules");
    const trees = args.resources.filter((r) => r.type === T.grafanaNotificationPolicy);
    if (trees.length === 0) {
      report("Critical alerts exist but no Grafana notification policy routes them.");
      return;
    }
    const contacts = new Map<string, PolicyResource>(
      args.resources
        .filter((r) => r.type === T.grafanaContactPoint)
        .map((r) => [String(r.props.name), r] as const),
    );
    const services = new Map<string, PolicyResource>(
      args.resources
        .filter((r) => r.type === T.pagerdutyService)
        .map((r) => [String(r.props.name), r] as const),
    );
    for (const tree of trees) {
      const critical = routes(asArray(tree.props.policies) as Route[]).filter(isCritical);
      if (critical.length === 0) {
        report(`${label(tree)} has no route for severity=critical.`);
        continue;
      }
      for (const route of critical) {
        if (asArray(route.muteTimings).length > 0) {
          report(
            `${label(tree)}: the critical route is muted by ${asArray(route.muteTimings).join(", ")}; critical alerts must page through maintenance windows.`,
          );
        }
        const cp = contacts.get(String(route.contactPoint));
        const pagers = asArray(cp?.props.pagerduties) as Route[];
        if (!cp || pagers.length === 0) {
          report(
            `${label(tree)}: critical alerts go to contact point '${route.contactPoint}', which has no PagerDuty integration.`,
          );
          continue;
        }
        for (const pd of pagers) {
          const service = services.get(asString(pd.group) ?? "");
          const rule = service?.props.incidentUrgencyRule as Route | undefined;
          if (!service || rule?.type !== "constant" || rule.urgency !== "high") {
            report(
              `${label(cp)}: critical alerts page PagerDuty service '${pd.group ?? "(unnamed)"}', which is not a service of constant high urgency.`,
            );
          }
        }
      }
    }
  });
}
