import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../offline/engine";
import { one, ofType, planAll, STACKS, type StackName } from "../harness";
import { T } from "../../policies/lib/types";

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

const AWS_BUDGETS = { dev: 5, staging: 5, prod: 10 };
const HEALTH = T.healthcheck;

describe.each(STACKS)("monitoring in %s", (stack) => {
  const run = () => runs[stack];

  it("sends the alert topic to PagerDuty where the stack pages, and by email as a second channel", () => {
    const topic = one(run(), T.snsTopic);
    expect(topic.inputs.name).toBe(`ara-${stack}-alerts`);
    const subs = ofType(run(), T.snsSubscription);
    expect(subs.length).toBeGreaterThanOrEqual(1);
    for (const s of subs) expect(s.inputs.topic).toBe(topic.outputs.arn);
    const https = subs.filter((s) => s.inputs.protocol === "https");
    // dev pages nobody: email only. staging and prod: PagerDuty's SNS integration, self-confirming.
    expect(https).toHaveLength(stack === "dev" ? 0 : 1);
    for (const s of https) {
      expect(s.inputs.endpointAutoConfirms).toBe(true);
      // The URL holds the integration's routing key: secret in state and in the plan.
      expect(s.inputs.endpoint).toBe("[secret]");
      expect(s.secretInputs).toContain("endpoint");
    }
    expect(subs.filter((s) => s.inputs.protocol === "email")).toHaveLength(1);
    const policy = JSON.parse(String(one(run(), T.snsTopicPolicy).inputs.policy));
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: "budgets.amazonaws.com" },
      Action: "SNS:Publish",
    });
  });

  it("alerts on the stack's AWS spend against its own AWS cap", () => {
    const budget = ofType(run(), T.budget).find((b) => b.inputs.timeUnit === "MONTHLY")!;
    expect(budget.inputs).toMatchObject({
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: AWS_BUDGETS[stack].toFixed(2),
      costFilters: [{ name: "TagKeyValue", values: [`user:stack$${stack}`] }],
    });
    const notes = budget.inputs.notifications as { threshold: number; notificationType: string }[];
    expect(notes.filter((n) => n.notificationType === "ACTUAL").map((n) => n.threshold)).toContain(
      80,
    );
    expect(notes).toContainEqual(
      expect.objectContaining({ notificationType: "FORECASTED", threshold: 100 }),
    );
  });

  it("alerts on a day's AWS spend over the stack's daily ceiling (prod: $20)", () => {
    const daily = ofType(run(), T.budget).filter((b) => b.inputs.timeUnit === "DAILY");
    if (stack !== "prod") {
      expect(daily).toEqual([]);
      return;
    }
    expect(daily).toHaveLength(1);
    expect(daily[0]!.inputs).toMatchObject({
      limitAmount: "20.00",
      notifications: [{ notificationType: "ACTUAL", threshold: 100, thresholdType: "PERCENTAGE" }],
    });
  });

  it("checks the app's readiness and the signer's health from the edge where the zone plan allows", () => {
    const checks = ofType(run(), HEALTH);
    if (stack === "dev") {
      // A Free zone has no standalone health checks.
      expect(checks).toEqual([]);
      expect(ofType(run(), T.notificationPolicy)).toEqual([]);
      return;
    }
    const domain = stack === "prod" ? "ara.example" : "ara-staging.example";
    expect(checks.map((c) => [c.inputs.address, (c.inputs.httpConfig as any).path]).sort()).toEqual(
      [
        [`api.${domain}`, "/r2/health"],
        [`app.${domain}`, "/api/ready"],
      ],
    );
    for (const c of checks) {
      expect(c.inputs).toMatchObject({
        type: "HTTPS",
        httpConfig: { method: "GET", expectedCodes: ["200"], allowInsecure: false },
      });
    }
    expect(checks[0]!.inputs.interval).toBe(stack === "prod" ? 60 : 300);
    const alert = one(run(), T.notificationPolicy);
    expect(alert.inputs.alertType).toBe("health_check_status_notification");
    expect((alert.inputs.filters as any).healthCheckIds.sort()).toEqual(
      checks.map((c) => c.id).sort(),
    );
  });
});
