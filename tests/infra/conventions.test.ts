import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../offline/engine";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../stacks/secrets";
import { byUrn, planAll, STACKS, type StackName } from "../harness";
import { T } from "../../policies/lib/types";

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});
const run = (s: StackName) => runs[s];

describe.each(STACKS)("stack %s follows the component conventions", (stack) => {
  it("has one root stack, and every other resource's parent is in the graph", () => {
    const r = run(stack);
    const roots = r.resources.filter((x) => x.parent === "");
    expect(roots.map((x) => x.type)).toEqual([T.stack]);
    const urns = byUrn(r);
    for (const x of r.resources.filter((y) => y.parent !== ""))
      expect(urns.has(x.parent), x.urn).toBe(true);
  });

  it("types components ara:<tier>:<Name>, and nothing but providers and components sits at the root", () => {
    const r = run(stack);
    const root = r.resources.find((x) => x.parent === "")!;
    for (const x of r.resources.filter((y) => y.parent === root.urn)) {
      expect(x.type, x.urn).toMatch(/^(pulumi:providers:[a-z]+|ara:[a-z-]+:[A-Z][A-Za-z]+)$/);
    }
  });

  it("names every child of a component after the component", () => {
    const r = run(stack);
    const urns = byUrn(r);
    for (const x of r.resources) {
      const parent = urns.get(x.parent);
      if (parent?.type.startsWith("ara:"))
        expect(x.name.startsWith(`${parent.name}-`), `${x.name} under ${parent.name}`).toBe(true);
    }
  });

  it("creates every cloud resource through this stack's explicit providers", () => {
    const r = run(stack);
    const providers = new Set(
      r.resources.filter((x) => x.type.startsWith("pulumi:providers:")).map((x) => x.urn),
    );
    // Grafana has three credential scopes, one provider each; Synthetic Monitoring's exists
    // only where the stack runs synthetic checks, and PagerDuty's only where it pages (not
    // in dev).
    expect([...providers].map((u) => u.split("::").pop()).sort()).toEqual(
      [
        "aws",
        "cloudflare",
        "grafana-cloud",
        ...(stack === "dev" ? [] : ["grafana-sm", "pagerduty"]),
        "grafana-stack",
        "random",
        "sentry",
        "upstash",
        "vercel",
      ].sort(),
    );
    for (const x of r.resources.filter(
      (y) =>
        y.custom &&
        !y.type.startsWith("pulumi:providers:") &&
        !y.type.startsWith("pulumi-nodejs:dynamic"),
    )) {
      const providerUrn = x.provider.split("::").slice(0, -1).join("::");
      expect(providers.has(providerUrn), `${x.urn} uses ${x.provider}`).toBe(true);
    }
  });

  it("never shows a credential in plain text", () => {
    const r = run(stack);
    const visible = JSON.stringify({
      resources: r.resources.map(({ inputs, outputs }) => ({ inputs, outputs })),
      outputs: r.outputs,
    });
    expect(visible).not.toContain(OFFLINE_SECRET_PLACEHOLDER);
    for (const x of r.resources.filter((y) => y.type.startsWith("pulumi:providers:"))) {
      for (const key of ["apiToken", "apiKey"])
        if (key in x.inputs) expect(x.inputs[key], `${x.name}.${key}`).toBe("[secret]");
    }
  });

  it("keeps credential outputs secret", () => {
    const r = run(stack);
    const credentialLike = Object.keys(r.outputs).filter((k) =>
      /token|password|secret|redisurl|connectionstring/i.test(k),
    );
    expect(credentialLike.length).toBeGreaterThan(0);
    for (const key of credentialLike) expect(r.secretOutputs, key).toContain(key);
  });
});
