import { beforeAll, describe, expect, it } from "vitest";
import type { CapturedResource, ProgramRun } from "../../offline/engine";
import { T } from "../../policies/lib/types";
import { ofType, one, planAll, STACKS, type StackName } from "../harness";

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

/** What ARA requires of each stack's paging (docs/incident-response.md). */
const EXPECTED: Record<
  StackName,
  {
    services: Record<string, "high" | "low">;
    routes: Record<"critical" | "warning", "high" | "low" | null>;
    levels: { delay: number; targets: string[] }[];
    mute: Record<string, unknown>[] | null;
  }
> = {
  dev: { services: {}, routes: { critical: null, warning: null }, levels: [], mute: null },
  staging: {
    services: { "ara-staging-low-urgency": "low" },
    routes: { critical: "low", warning: "low" },
    levels: [
      { delay: 240, targets: ["schedule_reference"] },
      { delay: 30, targets: ["user_reference"] },
    ],
    // Every Sunday 02:00–04:00 UTC.
    mute: [{ weekdays: ["sunday"], times: [{ start: "02:00", end: "04:00" }], location: "UTC" }],
  },
  prod: {
    services: { "ara-prod-high-urgency": "high", "ara-prod-low-urgency": "low" },
    routes: { critical: "high", warning: "low" },
    levels: [
      { delay: 5, targets: ["schedule_reference"] },
      { delay: 30, targets: ["user_reference", "user_reference"] },
    ],
    // The first Sunday of the month: a Sunday on days 1–7, 02:00–04:00 UTC.
    mute: [
      {
        weekdays: ["sunday"],
        daysOfMonths: ["1:7"],
        times: [{ start: "02:00", end: "04:00" }],
        location: "UTC",
      },
    ],
  },
};

const serviceName = (run: ProgramRun, id: unknown) =>
  ofType(run, T.pagerdutyService).find((s) => s.id === id)?.inputs.name;

describe.each(STACKS)("on-call in %s", (stack) => {
  const run = () => runs[stack];
  const want = EXPECTED[stack];

  it("has one PagerDuty service per urgency it pages at, with that constant urgency", () => {
    const services = ofType(run(), T.pagerdutyService);
    expect(
      Object.fromEntries(
        services.map((s) => [s.inputs.name, (s.inputs.incidentUrgencyRule as any).urgency]),
      ),
    ).toEqual(want.services);
    for (const s of services) {
      expect(s.inputs.incidentUrgencyRule).toMatchObject({ type: "constant" });
      expect(s.inputs.escalationPolicy).toBe(one(run(), T.pagerdutyEscalationPolicy).id);
    }
  });

  it("escalates on-call first, then the matrix's roles after each level's delay", () => {
    const policies = ofType(run(), T.pagerdutyEscalationPolicy);
    if (want.levels.length === 0) {
      expect(policies).toEqual([]);
      return;
    }
    const rules = policies[0]!.inputs.rules as any[];
    expect(
      rules.map((r) => ({
        delay: r.escalationDelayInMinutes,
        targets: r.targets.map((t: any) => t.type),
      })),
    ).toEqual(want.levels);
    // Level 1 is the weekly rotation.
    expect(rules[0].targets[0].id).toBe(one(run(), T.pagerdutySchedule).id);
    const schedule = one(run(), T.pagerdutySchedule);
    const layer = (schedule.inputs.layers as any[])[0];
    expect(layer.rotationTurnLengthSeconds).toBe(604_800);
    expect(layer.users).toHaveLength(2);
    for (const u of layer.users) expect(u).toMatch(/^P[0-9A-F]{6}$/);
  });

  it("routes critical and warning alerts to the service of their urgency, muting only warnings", () => {
    const policies = ofType(run(), T.grafanaNotificationPolicy);
    expect(policies).toHaveLength(1);
    const stackRoute = (policies[0]!.inputs.policies as any[])[0];
    expect(stackRoute.matchers).toEqual([{ label: "stack", match: "=", value: stack }]);
    const contacts = new Map(
      ofType(run(), T.grafanaContactPoint).map((c) => [c.inputs.name, c] as const),
    );
    const mutes = ofType(run(), T.grafanaMuteTiming);
    for (const severity of ["critical", "warning"] as const) {
      const route = (stackRoute.policies as any[]).find((p) => p.matchers[0].value === severity);
      const urgency = want.routes[severity];
      if (urgency === null) {
        expect(route.contactPoint).toBe(`ara-${stack}-email`);
        continue;
      }
      const cp = contacts.get(route.contactPoint)!;
      const pd = (cp.inputs.pagerduties as any[])[0];
      expect(pd.severity).toBe(severity);
      // The key is secret; which service it belongs to shows in the integration's parent service.
      expect(pd.integrationKey).toBe("[secret]");
      if (severity === "critical") expect(route.muteTimings).toBeUndefined();
      else expect(route.muteTimings).toEqual(mutes.map((m) => m.inputs.name));
    }
  });

  it("holds the maintenance windows as mute timings with the exact intervals", () => {
    const mutes = ofType(run(), T.grafanaMuteTiming);
    if (want.mute === null) {
      expect(mutes).toEqual([]);
      return;
    }
    expect(mutes).toHaveLength(1);
    expect(mutes[0]!.inputs.intervals).toEqual(want.mute);
  });

  it("gives each service Events v2, SNS and email integrations, all secret", () => {
    const integrations = ofType(run(), T.pagerdutyIntegration);
    expect(integrations).toHaveLength(Object.keys(want.services).length * 3);
    const byService = new Map<unknown, CapturedResource[]>();
    for (const i of integrations)
      byService.set(i.inputs.service, [...(byService.get(i.inputs.service) ?? []), i]);
    for (const [service, list] of byService) {
      expect(Object.keys(want.services)).toContain(serviceName(run(), service));
      expect(list.map((i) => i.inputs.type).sort()).toEqual([
        "aws_cloudwatch_inbound_integration",
        "events_api_v2_inbound_integration",
        "generic_email_inbound_integration",
      ]);
    }
    for (const i of integrations) {
      const secret =
        i.inputs.type === "generic_email_inbound_integration"
          ? "integrationEmail"
          : "integrationKey";
      expect(i.additionalSecretOutputs).toContain(secret);
      expect(i.outputs[secret]).toBe("[secret]");
    }
  });

  it("keeps the PagerDuty token secret in the provider", () => {
    const providers = run().resources.filter((r) => r.type === "pulumi:providers:pagerduty");
    expect(providers).toHaveLength(stack === "dev" ? 0 : 1);
    for (const p of providers) expect(p.inputs.token).toBe("[secret]");
  });

  it("emails Cloudflare health alerts to PagerDuty where health checks exist", () => {
    const health = ofType(run(), T.notificationPolicy);
    if (stack === "dev") {
      expect(health).toEqual([]);
      return;
    }
    const emails = (health[0]!.inputs.mechanisms as any).emails as { id: string }[];
    // The PagerDuty address (secret) first, then the secondary address.
    expect(emails[0]!.id).toBe("[secret]");
    expect(emails.length).toBe(2);
  });
});
