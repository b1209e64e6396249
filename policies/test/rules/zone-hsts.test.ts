import { describe, it } from "vitest";
import {
  expectViolation,
  find,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
  type Graph,
} from "../harness/real-graph";

const POLICY = "zone-hsts";

/** Changes the planned strict_transport_security settings. */
const hsts = (g: Graph, change: Record<string, unknown>) => {
  const value = find(g, "edge-hsts").props.value as {
    strict_transport_security: Record<string, unknown>;
  };
  Object.assign(value.strict_transport_security, change);
};

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails on a one-day max_age", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => hsts(g, { max_age: 86400 }) });
    expectViolation(result, { message: /at least 31536000/ });
  });

  it("fails prod without include_subdomains", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => hsts(g, { include_subdomains: false }),
    });
    expectViolation(result);
  });

  it("fails on camelCase keys", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setProps(g, "edge-hsts", {
          value: { strictTransportSecurity: { enabled: true, maxAge: 31536000 } },
        }),
    });
    expectViolation(result, { message: /camelCase/ });
  });
});
