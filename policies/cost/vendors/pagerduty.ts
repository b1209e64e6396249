import { T } from "../../lib/types";
import { pagerduty } from "../catalog";
import { rate, usd } from "../format";
import type { Ledger } from "../ledger";

/**
 * PagerDuty: one account per paging stack. The people are those the stack's schedule rotates and
 * its escalation policy pages directly; within the Free plan's limits the account costs $0,
 * beyond them every person is a Professional user.
 */
export function pricePagerDuty(ledger: Ledger): void {
  const policies = ledger.ofType((t) => t === T.pagerdutyEscalationPolicy);
  if (policies.length === 0) return;
  const schedules = ledger.ofType((t) => t === T.pagerdutySchedule);
  const users = new Set<string>();
  for (const s of schedules) {
    for (const layer of (s.props.layers as { users?: unknown[] }[] | undefined) ?? []) {
      for (const u of layer.users ?? []) users.add(String(u));
    }
  }
  for (const p of policies) {
    for (const rule of (p.props.rules as { targets?: { type?: string; id?: unknown }[] }[]) ?? []) {
      for (const t of rule.targets ?? []) if (t.type === "user_reference") users.add(String(t.id));
    }
  }
  const limits = pagerduty.freeLimits;
  const free =
    users.size <= limits.users &&
    schedules.length <= limits.schedules &&
    policies.length <= limits.escalationPolicies;
  const [payer] = policies;
  if (free) {
    ledger.add(payer!, "PagerDuty", "Free plan", {
      monthly: pagerduty.freePlan.usd,
      basis: `${rate(0)}/month: ${users.size} of ${limits.users} users, ${schedules.length} schedule, ${policies.length} escalation policy`,
    });
    return;
  }
  const per = pagerduty.professionalUser.usd;
  ledger.add(payer!, "PagerDuty", "Professional plan", {
    monthly: per * users.size,
    basis: `${users.size} users × ${usd(per)}/month (Free allows ${limits.users} users, ${limits.schedules} schedule, ${limits.escalationPolicies} escalation policy)`,
  });
}
