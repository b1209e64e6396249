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

  it("sends alerts to a topic with an email subscription per address", () => {
    const topic = one(run(), T.snsTopic);
    expect(topic.inputs.name).toBe(`ara-${stack}-alerts`);
    const subs = ofType(run(), T.snsSubscription);
    expect(subs.length).toBeGreaterThanOrEqual(1);
    for (const s of subs)
      expect(s.inputs).toMatchObject({ protocol: "email", topic: topic.outputs.arn });
    const policy = JSON.parse(String(one(run(), T.snsTopicPolicy).inputs.policy));
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: "budgets.amazonaws.com" },
      Action: "SNS:Publish",
    });
  });

  it("alerts on the stack's AWS spend against its own AWS cap", () => {
    const budget = one(run(), T.budget);
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
