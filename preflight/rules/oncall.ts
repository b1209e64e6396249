import { HHMM } from "../rule";
import { oneOf, pattern, range, rule, type TypeEntry } from "../rule";

/**
 * On-call (components/oncall): PagerDuty 3.4.0 and Grafana's alert routing. PagerDuty's generated
 * docs camelCase the enum values; the API takes the snake_case spellings its own examples use
 * (node_modules/@pulumi/pagerduty/service.d.ts and serviceIntegration.d.ts examples;
 * https://developer.pagerduty.com/api-reference/).
 */
const PD = "node_modules/@pulumi/pagerduty";
const G = "node_modules/@pulumiverse/grafana";
const API = "https://developer.pagerduty.com/api-reference/";
const FIX_COMPONENT = "change components/oncall/index.ts";
const FIX_CONFIG = "change ara:oncall in stacks/presets.ts or Pulumi.<stack>.yaml";
const COMPONENT_NOTE =
  "a component resource (components/oncall): it has no cloud API and no arguments; its children are checked";

const seconds = (arg: string) =>
  pattern(/^(\d+|null)$/, 'a whole number of seconds as a string, or "null" to disable', {
    source: `${PD}/service.d.ts (${arg}); strings, not numbers`,
    fix: FIX_COMPONENT,
  });

export const oncall: Record<string, TypeEntry> = {
  "ara:oncall:OnCall": { source: "components/oncall/index.ts", args: {}, note: COMPONENT_NOTE },
  "ara:oncall:AlertRouting": {
    source: "components/oncall/grafana.ts",
    args: {},
    note: COMPONENT_NOTE,
  },
  "pulumi:providers:pagerduty": {
    source: `${PD}/provider.d.ts`,
    args: {},
    note: "token is a secret whose validity only the API can judge (a real preview)",
  },
  "pagerduty:index/schedule:Schedule": {
    source: `${PD}/schedule.d.ts`,
    args: {
      "layers[].rotationTurnLengthSeconds": [
        range(3600, 365 * 86_400, {
          source: `${PD}/types/input.d.ts (ScheduleLayer.rotationTurnLengthSeconds); ${API}`,
          fix: FIX_COMPONENT,
        }),
      ],
      "layers[].start": [
        pattern(
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
          "an RFC 3339 time",
          {
            source: `${PD}/types/input.d.ts (ScheduleLayer.start)`,
            fix: "set ara:oncall.rotation.start",
          },
        ),
      ],
    },
  },
  "pagerduty:index/escalationPolicy:EscalationPolicy": {
    source: `${PD}/escalationPolicy.d.ts`,
    args: {
      "rules[].escalationDelayInMinutes": [
        range(1, 1440, {
          source: `${PD}/types/input.d.ts (EscalationPolicyRule.escalationDelayInMinutes); ${API}`,
          fix: "set ara:oncall.escalation[].delayMinutes",
        }),
      ],
      "rules[].targets[].type": [
        oneOf(["user_reference", "schedule_reference"], {
          source: `${PD}/types/input.d.ts (EscalationPolicyRuleTarget.type); ${API}`,
          fix: FIX_COMPONENT,
        }),
      ],
    },
  },
  "pagerduty:index/service:Service": {
    source: `${PD}/service.d.ts`,
    args: {
      alertCreation: [
        oneOf(["create_incidents", "create_alerts_and_incidents"], {
          source: `${PD}/service.d.ts (alertCreation; example spelling)`,
          fix: FIX_COMPONENT,
        }),
      ],
      "incidentUrgencyRule.type": [
        oneOf(["constant", "use_support_hours"], {
          source: `${PD}/types/input.d.ts (ServiceIncidentUrgencyRule.type)`,
          fix: FIX_COMPONENT,
        }),
      ],
      "incidentUrgencyRule.urgency": [
        oneOf(["high", "low", "severity_based"], {
          source: `${PD}/types/input.d.ts (ServiceIncidentUrgencyRule.urgency)`,
          fix: FIX_CONFIG,
        }),
      ],
      autoResolveTimeout: [seconds("autoResolveTimeout")],
      acknowledgementTimeout: [seconds("acknowledgementTimeout")],
    },
  },
  "pagerduty:index/serviceIntegration:ServiceIntegration": {
    source: `${PD}/serviceIntegration.d.ts`,
    args: {
      type: [
        oneOf(
          [
            "aws_cloudwatch_inbound_integration",
            "cloudkick_inbound_integration",
            "event_transformer_api_inbound_integration",
            "events_api_v2_inbound_integration",
            "generic_email_inbound_integration",
            "generic_events_api_inbound_integration",
            "keynote_inbound_integration",
            "nagios_inbound_integration",
            "pingdom_inbound_integration",
            "sql_monitor_inbound_integration",
          ],
          { source: `${PD}/serviceIntegration.d.ts (type)`, fix: FIX_COMPONENT },
        ),
      ],
      emailIncidentCreation: [
        oneOf(["on_new_email", "on_new_email_subject", "only_if_no_open_incidents", "use_rules"], {
          source: `${PD}/serviceIntegration.d.ts (emailIncidentCreation)`,
          fix: FIX_COMPONENT,
        }),
      ],
    },
  },
  "grafana:alerting/contactPoint:ContactPoint": {
    source: `${G}/alerting/contactPoint.d.ts`,
    args: {
      "pagerduties[].severity": [
        oneOf(["critical", "error", "warning", "info"], {
          source:
            "https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (payload.severity)",
          fix: "route only the catalog's severities (observability/alerts.ts)",
        }),
      ],
    },
  },
  "grafana:alerting/notificationPolicy:NotificationPolicy": {
    source: `${G}/alerting/notificationPolicy.d.ts`,
    args: {
      "policies[].matchers[].match": [
        oneOf(["=", "!=", "=~", "!~"], {
          source: `${G}/types/input.d.ts (NotificationPolicyPolicyMatcher.match)`,
          fix: "change components/oncall/grafana.ts",
        }),
      ],
    },
  },
  "grafana:alerting/muteTiming:MuteTiming": {
    source: `${G}/alerting/muteTiming.d.ts`,
    args: {
      "intervals[].times[].start": [
        pattern(HHMM, "a time as HH:MM", {
          source: `${G}/types/input.d.ts (MuteTimingIntervalTime.start)`,
          fix: "set ara:oncall.maintenance[].start",
        }),
      ],
      "intervals[].times[].end": [
        rule(
          "a time as HH:MM, up to 24:00",
          {
            source: `${G}/types/input.d.ts (MuteTimingIntervalTime.end)`,
            fix: "set ara:oncall.maintenance[].end",
          },
          (v) =>
            typeof v === "string" && (HHMM.test(v) || v === "24:00")
              ? undefined
              : `${JSON.stringify(v)} is not HH:MM`,
        ),
      ],
      "intervals[].weekdays[]": [
        oneOf(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], {
          source:
            "https://grafana.com/docs/grafana/latest/alerting/configure-notifications/mute-timings/",
          fix: "set ara:oncall.maintenance[].weekdays",
        }),
      ],
    },
  },
};
