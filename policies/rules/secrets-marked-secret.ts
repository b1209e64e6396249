import { Secret, type ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, asString, label, resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { isCredentialName } from "../lib/credentials";

export const meta: RuleMeta = {
  name: "secrets-marked-secret",
  description:
    "Credentials handed to the worker and the app must be Pulumi secrets: secret_text bindings and Vercel values arrive as secrets, and no credential-named binding is plain_text.",
  enforcementLevel: "remediate",
  severity: "critical",
  remediation:
    'Pass credentials as secret Outputs (pulumi.secret(...), RandomBytes, config.requireSecret) and bind them as secret_text; at level "remediate" the pack marks a plain value secret before it reaches state.',
};

const PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * The raw inputs under the policy SDK's proxies. During Remediate the SDK keeps secrets as
 * `Secret` instances (secretsPreservingProxy); during Analyze they are already unwrapped, so
 * secretness is only visible here.
 */
function rawInputs(props: Record<string, unknown>): Record<string, unknown> {
  let t: unknown = props;
  for (let i = 0; i < 3; i++) {
    const next = (t as Record<string, unknown> | undefined)?.[PROXY_TARGET];
    if (next === undefined || next === t) break;
    t = next;
  }
  return t as Record<string, unknown>;
}

const isSecret = (v: unknown) => v instanceof Secret;

/** The inputs with every credential value wrapped as a secret, or undefined if none was plain. */
export function secretify(
  type: string,
  raw: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (type === T.workersScript) {
    if (isSecret(raw.bindings) || !Array.isArray(raw.bindings)) return undefined;
    let changed = false;
    const bindings = raw.bindings.map((b) => {
      if (isSecret(b)) return b;
      const o = b as Record<string, unknown> | null;
      if (o?.type === "secret_text" && o.text !== undefined && !isSecret(o.text)) {
        changed = true;
        return { ...o, text: new Secret(o.text) };
      }
      return b;
    });
    return changed ? { ...raw, bindings } : undefined;
  }
  if (type === T.vercelEnvVar) {
    if (raw.value === undefined || isSecret(raw.value)) return undefined;
    return { ...raw, value: new Secret(raw.value) };
  }
  if (type === T.vercelEnvVars) {
    if (isSecret(raw.variables) || !Array.isArray(raw.variables)) return undefined;
    let changed = false;
    const variables = raw.variables.map((v) => {
      const o = v as Record<string, unknown> | null;
      if (isSecret(v) || !o || o.value === undefined || isSecret(o.value)) return v;
      changed = true;
      return { ...o, value: new Secret(o.value) };
    });
    return changed ? { ...raw, variables } : undefined;
  }
  return undefined;
}

const TYPES: readonly string[] = [T.workersScript, T.vercelEnvVar, T.vercelEnvVars];

/**
 * Requirement (docs/architecture.md) "Secret management" and the rule "secrets never in plain text in state". What the
 * pack can and cannot see (docs/decisions/0006): the analyzer unwraps secrets before
 * validation, so only the remediation step, which receives them wrapped, can tell a plain value
 * from a secret; it fixes the value instead of failing. Validation catches what is visible:
 * credential-named plain_text bindings and empty secret_text bindings.
 * @severity critical
 */
export function secretsMarkedSecret(): ResourceValidationPolicy {
  const remediate = (args: { type: string; props: Record<string, unknown> }) =>
    TYPES.includes(args.type) ? secretify(args.type, rawInputs(args.props)) : undefined;
  return resourceRule(
    meta,
    TYPES,
    (args, report) => {
      if (args.type !== T.workersScript) return;
      for (const b of asArray(args.props.bindings)) {
        const o = asObject(b);
        const name = asString(o?.name);
        if (!o || !name) continue;
        if (o.type === "plain_text" && isCredentialName(name)) {
          report(
            `${label(args)} binds ${name} as plain_text: its value is visible in the dashboard and stored unencrypted.`,
            `Bind ${name} as secret_text with a secret value.`,
          );
        }
        if (o.type === "secret_text" && (typeof o.text !== "string" || o.text === "")) {
          report(`${label(args)} binds ${name} as secret_text without a value.`);
        }
      }
    },
    { remediateResource: remediate },
  );
}
