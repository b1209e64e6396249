/**
 * ARA's escalation matrix (docs/architecture.md, "Requirements"; docs/incident-response.md) as
 * typed data, written once. The stack schema validates `ara:oncall` against it, the presets
 * build each stack's escalation chain from it, the `OnCall` component turns it into PagerDuty
 * services, and `npm run oncall` prints it.
 *
 * The chain of severity → priority → urgency is:
 * - an alert's `severity` label (observability/alerts.ts `SEVERITIES`, or {@link SOURCES} for the
 *   alerts that do not come from Grafana) selects a priority through the stack's
 *   `oncall.routing`;
 * - the priority selects an urgency through the stack's `oncall.priorities`, whose defaults are
 *   {@link PRIORITIES}' `urgency`;
 * - the urgency selects the PagerDuty service (one per urgency), which pages through the stack's
 *   escalation policy.
 */
import type { Severity } from "./alerts";

export const PRIORITY_IDS = ["P0", "P1", "P2", "P3"] as const;
export type PriorityId = (typeof PRIORITY_IDS)[number];

/** The people a level can page besides the on-call rotation; each is an email in stack config. */
export const ROLES = ["cto", "engineeringManager", "teamLead"] as const;
export type Role = (typeof ROLES)[number];

/** An escalation target: the stack's weekly rotation, or a named role. */
export const ON_CALL = "on-call" as const;
export type Target = typeof ON_CALL | Role;

export const URGENCIES = ["high", "low"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** How people hear about an incident beyond the page itself. */
export type Channel = "incident channel" | "status page" | "ticket";

export interface Priority {
  id: PriorityId;
  /** The requirement's own words. */
  name: string;
  meaning: string;
  /** How soon someone must respond; 0 is "immediately". */
  responseMinutes: number;
  /** Who is brought in besides on-call, once the response time has passed unacknowledged. */
  escalateTo: readonly Role[];
  channels: readonly Channel[];
  /**
   * PagerDuty urgency: high pages (phone, SMS, push) around the clock and escalates; low notifies
   * without escalating (PagerDuty never escalates a low-urgency incident). null: no page.
   */
  urgency: Urgency | null;
}

/** The requirement's matrix, exactly. */
export const PRIORITIES: Readonly<Record<PriorityId, Priority>> = {
  P0: {
    id: "P0",
    name: "Critical",
    meaning: "production down",
    responseMinutes: 0,
    escalateTo: ["cto", "engineeringManager"],
    channels: ["incident channel", "status page"],
    urgency: "high",
  },
  P1: {
    id: "P1",
    name: "High",
    meaning: "degraded performance",
    responseMinutes: 30,
    escalateTo: ["engineeringManager"],
    channels: ["incident channel"],
    urgency: "high",
  },
  P2: {
    id: "P2",
    name: "Medium",
    meaning: "non-critical issues",
    responseMinutes: 240,
    escalateTo: ["teamLead"],
    channels: ["ticket"],
    urgency: "low",
  },
  P3: {
    id: "P3",
    name: "Low",
    meaning: "low impact",
    responseMinutes: 1440,
    escalateTo: [],
    channels: ["ticket"],
    urgency: null,
  },
};

/**
 * How long on-call has to acknowledge a P0 page before the named roles are paged too. PagerDuty
 * refuses a delay under 1 minute; "immediately" pages on-call at once and brings in the CTO and
 * the Engineering Manager when on-call has not answered within this window.
 */
export const P0_ACK_MINUTES = 5;

/** One level of an escalation policy: who is paged, and how long before the next level. */
export interface EscalationLevel {
  targets: Target[];
  delayMinutes: number;
}

/**
 * The escalation chain of a priority: on-call first, then the priority's roles after its response
 * time (P0: after {@link P0_ACK_MINUTES}). The last level's delay is how long PagerDuty waits
 * before repeating the chain.
 */
export function escalationLevels(id: PriorityId): EscalationLevel[] {
  const p = PRIORITIES[id];
  const first = Math.max(p.responseMinutes, P0_ACK_MINUTES);
  const levels: EscalationLevel[] = [{ targets: [ON_CALL], delayMinutes: first }];
  if (p.escalateTo.length > 0) levels.push({ targets: [...p.escalateTo], delayMinutes: 30 });
  return levels;
}

/**
 * The alerts that do not come from Grafana's rule groups, with the severity on-call treats them
 * at. They reach PagerDuty through the SNS topic (AWS) or Cloudflare's notifications.
 */
export interface AlertSource {
  id: string;
  name: string;
  severity: Severity;
  /** How it reaches PagerDuty. */
  path: "sns" | "cloudflare-email" | "sentry";
  /** Heading slug in docs/incident-response.md or docs/runbooks.md. */
  runbook: string;
}

export const SOURCES: readonly AlertSource[] = [
  {
    id: "edge-health",
    name: "Cloudflare health check unhealthy",
    // Both endpoints' checks failing from two regions is the application being down.
    severity: "critical",
    path: "cloudflare-email",
    runbook: "runbooks.md#application-down",
  },
  {
    id: "aws-budget",
    name: "AWS budget (daily, monthly share, forecast)",
    severity: "warning",
    path: "sns",
    runbook: "incident-response.md#spend-alerts",
  },
  {
    id: "replication-failure",
    name: "S3 replication failure",
    // The replica is the disaster-recovery copy: stale, not down.
    severity: "warning",
    path: "sns",
    runbook: "disaster-recovery.md#storage",
  },
];

/**
 * Severities whose routes maintenance windows mute. Critical alerts page through a planned
 * outage too: a window covers the noise it is expected to make, not an unexpected failure.
 */
export const MUTED_SEVERITIES: readonly Severity[] = ["warning"];

/** The weekdays Grafana's mute timings and PagerDuty's schedules accept. */
export const WEEKDAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type Weekday = (typeof WEEKDAYS)[number];
