import * as pulumi from "@pulumi/pulumi";
import { ContactPoint } from "@pulumiverse/grafana/alerting/contactPoint";
import { MuteTiming } from "@pulumiverse/grafana/alerting/muteTiming";
import { NotificationPolicy } from "@pulumiverse/grafana/alerting/notificationPolicy";
import type * as grafana from "@pulumiverse/grafana/types/input";
import { SEVERITIES, type Severity } from "../../observability/alerts";
import { MUTED_SEVERITIES } from "../../observability/escalation";
import type { OncallSettings } from "../../stacks/schema";
import { AraComponent } from "../component";

/** Grafana mute-timing intervals of one maintenance window: UTC, end exclusive. */
export function muteIntervals(
  w: OncallSettings["maintenance"][number],
): grafana.alerting.MuteTimingInterval[] {
  return [
    {
      weekdays: [...w.weekdays],
      ...(w.daysOfMonth && { daysOfMonths: [...w.daysOfMonth] }),
      times: [{ start: w.start, end: w.end }],
      location: "UTC",
    },
  ];
}

export interface AlertRoutingArgs {
  /** The stack's `stack` label value, which every rule carries (components/observability/alerting.ts). */
  stack: string;
  /**
   * Per severity, its PagerDuty service's name and Events API v2 key (secret); absent: not paged.
   * The name travels as the event's `group`, so the page shows, and the policies can check,
   * which service it goes to without reading the key.
   */
  pagerduty: Partial<
    Record<Severity, { service: pulumi.Input<string>; key: pulumi.Input<string> }>
  >;
  /** Secondary channel: these addresses get every alert too; empty for none. */
  emails: string[];
  maintenance: OncallSettings["maintenance"];
}

/**
 * The `AlertRouting` component is where Grafana's notifications go: one contact point per
 * severity (its PagerDuty service, plus email where the stack keeps it), the maintenance windows
 * as mute timings, and the notification policy, which routes on the rules' `stack` and
 * `severity` labels and applies the mute timings to warning routes only.
 *
 * Grafana keeps one notification-policy tree per organisation: this is the only place the program
 * creates it. Stacks that share one Grafana Cloud stack would overwrite each other's tree, so each
 * environment needs its own Grafana stack (or organisation) for paging (docs/incident-response.md).
 *
 * #### Minimal example
 * ```ts
 * new AlertRouting("routing", { stack: "prod", pagerduty: { critical: { service, key } },
 *   emails: ["oncall@ara.example"], maintenance: [] }, { provider: grafanaStack });
 * ```
 */
export class AlertRouting extends AraComponent {
  /** The notification policy's tree, for tests and `npm run oncall`. */
  public readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: AlertRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:oncall:AlertRouting", name, opts);

    const mutes = args.maintenance.map(
      (w) =>
        new MuteTiming(
          this.child(`mute-${w.name}`),
          { name: this.physical(w.name), intervals: muteIntervals(w) },
          { parent: this },
        ),
    );
    const emails = args.emails.length > 0 ? [{ addresses: args.emails, singleEmail: true }] : [];
    const fallback =
      emails.length > 0
        ? new ContactPoint(
            this.child("contact-email"),
            { name: this.physical("email"), emails },
            { parent: this },
          )
        : undefined;
    const contact = Object.fromEntries(
      SEVERITIES.flatMap((severity) => {
        const pd = args.pagerduty[severity];
        if (!pd) return fallback ? [[severity, fallback]] : [];
        const cp = new ContactPoint(
          this.child(`contact-${severity}`),
          {
            name: this.physical(`pagerduty-${severity}`),
            pagerduties: [
              {
                integrationKey: pulumi.secret(pd.key),
                group: pd.service,
                // PagerDuty's own severities include critical and warning; the service's
                // constant urgency, not this field, decides whether it pages.
                severity,
                summary: '{{ template "default.title" . }}',
                source: `ara-${args.stack}`,
              },
            ],
            emails,
          },
          { parent: this },
        );
        return [[severity, cp]];
      }),
    ) as Partial<Record<Severity, ContactPoint>>;

    const root = fallback ?? contact.critical ?? contact.warning;
    if (!root)
      throw new Error("AlertRouting: no PagerDuty key and no email: alerts would go nowhere");
    const policy = new NotificationPolicy(
      this.child("policy"),
      {
        contactPoint: root.name,
        groupBies: ["grafana_folder", "alertname"],
        policies: [
          {
            matchers: [{ label: "stack", match: "=", value: args.stack }],
            contactPoint: root.name,
            policies: SEVERITIES.flatMap((severity) => {
              const cp = contact[severity];
              if (!cp) return [];
              return [
                {
                  matchers: [{ label: "severity", match: "=", value: severity }],
                  contactPoint: cp.name,
                  ...(MUTED_SEVERITIES.includes(severity) &&
                    mutes.length > 0 && { muteTimings: mutes.map((m) => m.name) }),
                  // A page repeats hourly while it fires; a warning every four hours.
                  repeatInterval: severity === "critical" ? "1h" : "4h",
                },
              ];
            }),
          },
        ],
      },
      { parent: this },
    );
    this.policyId = policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
