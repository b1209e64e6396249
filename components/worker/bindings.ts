import * as pulumi from "@pulumi/pulumi";

/**
 * The Worker bindings ARA uses, as a discriminated union on `type`. Each variant is a subset
 * of the provider's `WorkersScriptBinding`; passing them to `WorkersScript.bindings` is the
 * compile-time proof.
 */
export type WorkerBinding =
  | { type: "r2_bucket"; name: string; bucketName: pulumi.Input<string> }
  | { type: "secret_text"; name: string; text: pulumi.Input<string> }
  | { type: "plain_text"; name: string; text: pulumi.Input<string> };

/** A secret var. The provider has no additionalSecretOutputs for it, so the text is wrapped. */
export function secretText(name: string, text: pulumi.Input<string>): WorkerBinding {
  return { type: "secret_text", name, text: pulumi.secret(text) };
}

/** A plain var. Workers vars are strings; numbers and lists are rendered here. */
export function plainText(
  name: string,
  value: pulumi.Input<string | number | string[]>,
): WorkerBinding {
  return {
    type: "plain_text",
    name,
    text: pulumi.output(value).apply((v) => (Array.isArray(v) ? v.join(",") : String(v))),
  };
}

/**
 * Fails before any resource is registered when the bindings do not match the contract's
 * lists exactly: a missing secret would otherwise deploy a worker that answers 500.
 */
export function assertBindingsMatch(
  script: string,
  bindings: readonly WorkerBinding[],
  expected: { r2Buckets: string[]; secrets: string[]; plainText: string[]; optional?: string[] },
): void {
  const want = new Map<string, WorkerBinding["type"]>([
    ...expected.r2Buckets.map((n) => [n, "r2_bucket"] as const),
    ...expected.secrets.map((n) => [n, "secret_text"] as const),
    ...expected.plainText.map((n) => [n, "plain_text"] as const),
  ]);
  const optional = new Set(expected.optional ?? []);
  const got = new Map(bindings.map((b) => [b.name, b.type]));
  const problems: string[] = [];
  for (const [name, type] of want) {
    if (!got.has(name) && !optional.has(name)) problems.push(`${name} (${type}) is missing`);
    else if (got.has(name) && got.get(name) !== type)
      problems.push(`${name} is ${got.get(name)}, the contract says ${type}`);
  }
  for (const name of got.keys()) {
    if (!want.has(name)) problems.push(`${name} is not in the contract`);
  }
  if (got.size !== bindings.length) problems.push("a binding name is used twice");
  if (problems.length > 0) {
    throw new Error(
      `The ${script} worker's bindings disagree with app/worker/contract.json: ${problems.join("; ")}. ` +
        `Update the component in components/worker and the contract together.`,
    );
  }
}
