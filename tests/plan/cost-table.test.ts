import { describe, expect, it } from "vitest";
import type { ProgramRun } from "../../offline/engine";
import {
  PLAN_COLUMNS,
  renderMarkdown,
  renderVerdict,
  type PlanVerdict,
} from "../../offline/render";
import { costResource, estimate } from "../../policies/test/harness/cost";

const res = (type: string, name: string) => costResource(type, name, {}, "prod");
const resources = [
  res("vercel:index/project:Project", "app"),
  res("aws:iam/user:User", "replicator"),
  // Types the cost model can never know, so the test does not depend on which tiers exist.
  res("example:index/widget:Widget", "dashboards"),
  res("example:index/gizmo:Gizmo", "on-call"),
];

function verdict(): PlanVerdict {
  const e = estimate(resources, { vercelSeats: 1 });
  return {
    cost: { ...e, budget: 500, warnAtPercent: 80 },
    policies: {
      pack: "ara-guardrails",
      version: "0.0.0",
      config: "(given)",
      levels: {},
      violations: [],
    },
  };
}

describe("the plan's cost table", () => {
  it("counts priced, free and unpriced resources and lists each unpriced one with its reason", () => {
    const text = renderVerdict(verdict());
    expect(text).toContain("  Resources: 1 priced, 1 free, 2 unpriced\n");
    expect(text).toMatch(
      /not priced: dashboards \(example:index\/widget:Widget\): no entry in the cost catalog/,
    );
    expect(text).toMatch(/not priced: on-call \(example:index\/gizmo:Gizmo\): no entry/);
    for (const line of text.split("\n"))
      expect([...line].length, line).toBeLessThanOrEqual(PLAN_COLUMNS);
  });

  it("says the same in the pull-request summary", () => {
    const run = {
      stack: "prod",
      resources: resources.map((r) => ({ ...r, protect: false })),
    } as unknown as ProgramRun;
    const md = renderMarkdown(run, verdict());
    expect(md).toContain("Resources: 1 priced, 1 free, 2 unpriced.");
    expect(md).toContain("| Not priced | Type | Reason |");
    expect(md).toMatch(
      /\| dashboards \| `example:index\/widget:Widget` \| no entry in the cost catalog/,
    );
  });
});
