import * as pulumi from "@pulumi/pulumi";
import { EscalationPolicy } from "@pulumi/pagerduty/escalationPolicy";
import { getUserOutput } from "@pulumi/pagerduty/getUser";
import { Schedule } from "@pulumi/pagerduty/schedule";
import { Service } from "@pulumi/pagerduty/service";
import {
  ServiceIntegration,
  type ServiceIntegrationArgs,
} from "@pulumi/pagerduty/serviceIntegration";
import type { Severity } from "../../observability/alerts";
import { ON_CALL, type PriorityId, type Urgency } from "../../observability/escalation";
import type { OncallSettings } from "../../stacks/schema";
import { AraComponent } from "../component";

/** How an alert of one severity reaches PagerDuty: computed from `oncall.routing` and `.priorities`. */
export interface Route {
  severity: Severity;
  priority: PriorityId;
  urgency: Urgency;
}

/** The routes a stack's settings give, one per routed severity (no PagerDuty: none). */
export function routes(settings: OncallSettings): Route[] {
  if (settings.pagerduty === "none") return [];
  return Object.entries(settings.routing).map(([severity, priority]) => ({
    severity: severity as Severity,
    priority: priority as PriorityId,
    urgency: settings.priorities[priority as PriorityId]!.urgency,
  }));
}

/** Where one PagerDuty service takes events. Every value is secret: each lets anyone open incidents. */
export interface ServiceEndpoints {
  serviceId: pulumi.Output<string>;
  serviceName: pulumi.Output<string>;
  /** Events API v2 routing key (Grafana's PagerDuty contact point). */
  eventsKey: pulumi.Output<string>;
  /** `https://events.pagerduty.com/integration/<key>/enqueue` of an Amazon SNS/CloudWatch integration. */
  snsEndpoint: pulumi.Output<string>;
  /** Address of an email integration (Cloudflare's notifications, which can email on every plan). */
  email: pulumi.Output<string>;
}

export interface OnCallArgs {
  settings: OncallSettings;
}

/**
 * The `OnCall` component is the stack's PagerDuty configuration, all of it from `ara:oncall`:
 * - a weekly rotation over the users in `rotation.users`, looked up by email;
 * - one escalation policy (the Free plan's one) whose levels are `escalation`: "on-call" is the
 *   rotation, a role is the user in `roles`;
 * - one service per urgency the routing uses, with constant urgency (high pages around the clock
 *   and escalates; low notifies and never escalates), and the three integrations every alert
 *   source needs: Events API v2, Amazon SNS and email.
 *
 * With `pagerduty: "none"` it creates nothing and `endpoints` is empty.
 *
 * #### Minimal example
 * ```ts
 * const oncall = new OnCall("oncall", { settings: config.oncall }, { providers: [pagerduty] });
 * const critical = oncall.endpointsFor("critical"); // undefined where critical is not paged
 * ```
 */
export class OnCall extends AraComponent {
  /** The stack's routes, one per paged severity. */
  public readonly routes: Route[];
  /** The service endpoints per urgency. */
  public readonly endpoints: Partial<Record<Urgency, ServiceEndpoints>>;
  /** ID of the escalation policy, where PagerDuty is on. */
  public readonly escalationPolicyId?: pulumi.Output<string>;

  constructor(name: string, args: OnCallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:oncall:OnCall", name, opts);
    const s = args.settings;
    this.routes = routes(s);
    this.endpoints = {};
    if (s.pagerduty !== "none") {
      const userId = (email: string) => getUserOutput({ email }, { parent: this }).id;
      const schedule = new Schedule(
        this.child("rotation"),
        {
          name: this.physical("rotation"),
          description: "Weekly on-call rotation (ara:oncall.rotation).",
          timeZone: "UTC",
          layers: [
            {
              name: "weekly",
              start: s.rotation.start,
              rotationVirtualStart: s.rotation.start,
              rotationTurnLengthSeconds: 7 * 86_400,
              users: s.rotation.users.map(userId),
            },
          ],
        },
        { parent: this },
      );
      const policy = new EscalationPolicy(
        this.child("escalation"),
        {
          name: this.physical("escalation"),
          description: "ARA's escalation matrix (docs/incident-response.md).",
          // Run the chain twice before giving up: a missed page reaches everyone once more.
          numLoops: 1,
          rules: s.escalation.map((level) => ({
            escalationDelayInMinutes: level.delayMinutes,
            targets: level.targets.map((t) =>
              t === ON_CALL
                ? { type: "schedule_reference", id: schedule.id }
                : { type: "user_reference", id: userId(s.roles[t]!) },
            ),
          })),
        },
        { parent: this },
      );
      this.escalationPolicyId = policy.id;
      for (const urgency of [...new Set(this.routes.map((r) => r.urgency))]) {
        this.endpoints[urgency] = this.createService(urgency, policy);
      }
    }
    this.registerOutputs({ escalationPolicyId: this.escalationPolicyId });
  }

  /** The endpoints of the service `severity` routes to; undefined where it is not paged. */
  endpointsFor(severity: Severity): ServiceEndpoints | undefined {
    const route = this.routes.find((r) => r.severity === severity);
    return route && this.endpoints[route.urgency];
  }

  private createService(urgency: Urgency, policy: EscalationPolicy): ServiceEndpoints {
    const service = new Service(
      this.child(`service-${urgency}`),
      {
        name: this.physical(`${urgency}-urgency`),
        description: `ARA ${pulumi.getStack()}: ${urgency}-urgency alerts (docs/incident-response.md).`,
        escalationPolicy: policy.id,
        // Events API v2 integrations need alerts on the service (pagerduty serviceIntegration.d.ts).
        alertCreation: "create_alerts_and_incidents",
        incidentUrgencyRule: { type: "constant", urgency },
        // An incident nobody resolves closes after a day; the alert re-opens it if still firing.
        autoResolveTimeout: "86400",
        acknowledgementTimeout: "1800",
      },
      { parent: this },
    );
    // 3.4.0 marks no output secret; a routing key or address lets anyone open incidents.
    const integration = (
      kind: string,
      args: Omit<ServiceIntegrationArgs, "service">,
      secret: "integrationKey" | "integrationEmail",
    ) =>
      new ServiceIntegration(
        this.child(`${kind}-${urgency}`),
        { service: service.id, ...args },
        { parent: this, additionalSecretOutputs: [secret] },
      );
    const events = integration(
      "events",
      { name: "Grafana (Events API v2)", type: "events_api_v2_inbound_integration" },
      "integrationKey",
    );
    const sns = integration(
      "sns",
      { name: "Amazon SNS (alert topic)", type: "aws_cloudwatch_inbound_integration" },
      "integrationKey",
    );
    const email = integration(
      "email",
      {
        name: "Cloudflare notifications (email)",
        type: "generic_email_inbound_integration",
        emailIncidentCreation: "on_new_email",
      },
      "integrationEmail",
    );
    return {
      serviceId: service.id,
      serviceName: service.name,
      eventsKey: pulumi.secret(events.integrationKey),
      snsEndpoint: pulumi.secret(
        pulumi.interpolate`https://events.pagerduty.com/integration/${sns.integrationKey}/enqueue`,
      ),
      email: pulumi.secret(email.integrationEmail),
    };
  }
}
