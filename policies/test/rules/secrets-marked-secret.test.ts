import { describeSpec, find } from "../harness/real-graph";

const POLICY = "secrets-marked-secret";

describeSpec(POLICY, { levels: "remediate" }, (fails) => {
  fails(
    "fails on a credential bound as plain_text",
    (g) =>
      (find(g, "worker-script").props.bindings as object[]).push({
        type: "plain_text",
        name: "API_TOKEN",
        text: "t",
      }),
    { message: /API_TOKEN as plain_text/ },
  );

  fails(
    "remediates a secret_text value that arrives plain",
    (g) => {
      const signer = find(g, "worker-script");
      signer.secretInputs = signer.secretInputs!.filter((p) => p !== "bindings[1].text");
    },
    {
      level: "remediate",
      message: /bindings\[1\]\.text arrived as plain values and were marked secret/,
    },
  );
});
