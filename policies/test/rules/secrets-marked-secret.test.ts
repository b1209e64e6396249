import { describe, it } from "vitest";
import { expectViolation, find, itPassesOnTheRealStacks, runPolicy } from "../harness/real-graph";

const POLICY = "secrets-marked-secret";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "remediate", staging: "remediate", prod: "remediate" });

  it("fails on a credential bound as plain_text", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        (find(g, "worker-script").props.bindings as object[]).push({
          type: "plain_text",
          name: "API_TOKEN",
          text: "t",
        }),
    });
    expectViolation(result, { message: /API_TOKEN as plain_text/ });
  });

  it("remediates a secret_text value that arrives plain", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => {
        const signer = find(g, "worker-script");
        signer.secretInputs = signer.secretInputs!.filter((p) => p !== "bindings[1].text");
      },
    });
    expectViolation(result, {
      level: "remediate",
      message: /bindings\[1\]\.text arrived as plain values and were marked secret/,
    });
  });
});
