import type { ResourceValidationArgs } from "@pulumi/policy";
import { asArray, asObject, asString } from "./define";
import { T } from "./types";

/** A configuration value the program hands to an application: an env var or a worker binding. */
export interface ConfigValue {
  /** Where it is, for messages: e.g. `env var DATABASE_URL` or `binding SIGNER_URL`. */
  where: string;
  key: string;
  value: string;
}

/** Resource types whose inputs carry application configuration. */
export const CONFIG_VALUE_TYPES: readonly string[] = [
  T.vercelEnvVar,
  T.vercelEnvVars,
  T.vercelDeployment,
  T.workersScript,
];

/** Every string configuration value on the resource, with the key it is set under. */
export function configValues(args: Pick<ResourceValidationArgs, "type" | "props">): ConfigValue[] {
  const p = args.props;
  const out: ConfigValue[] = [];
  const push = (where: string, key: unknown, value: unknown) => {
    const k = asString(key);
    const v = asString(value);
    if (k !== undefined && v !== undefined) out.push({ where: `${where} ${k}`, key: k, value: v });
  };
  switch (args.type) {
    case T.vercelEnvVar:
      push("env var", p.key, p.value);
      break;
    case T.vercelEnvVars:
      for (const v of asArray(p.variables)) {
        const o = asObject(v);
        if (o) push("env var", o.key, o.value);
      }
      break;
    case T.vercelDeployment:
      for (const [k, v] of Object.entries(asObject(p.environment) ?? {}))
        push("deployment env", k, v);
      break;
    case T.workersScript:
      for (const b of asArray(p.bindings)) {
        const o = asObject(b);
        if (!o) continue;
        if (o.type === "plain_text" || o.type === "secret_text") push("binding", o.name, o.text);
        if (o.type === "json" && o.json !== undefined) {
          push("binding", o.name, typeof o.json === "string" ? o.json : JSON.stringify(o.json));
        }
      }
      break;
  }
  return out;
}

/** Loopback hosts, allowed only where a policy's config says so (local development). */
export function isLoopbackUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname;
    return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
  } catch {
    return false;
  }
}
