import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, asString, label, resourceRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";
import { isCredentialName } from "../lib/credentials";

export const meta: RuleMeta = {
  name: "vercel-sensitive-credentials",
  description:
    "Vercel environment variables that hold credentials must be sensitive (write-only) for production and preview.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Set `sensitive: true` on the vercel.ProjectEnvironmentVariable (components/app); development-only variables cannot be sensitive, so keep credentials out of the development target.",
};

/**
 * Requirement (docs/architecture.md) "Secret management": a non-sensitive variable can be read back in the Vercel
 * dashboard and API by every team member. (The value itself always reaches state as a Pulumi
 * secret: the Vercel SDK wraps it.)
 * @severity high
 */
export function vercelSensitiveCredentials(): ResourceValidationPolicy {
  return resourceRule(meta, [T.vercelEnvVar, T.vercelEnvVars], (args, report) => {
    const vars =
      args.type === T.vercelEnvVar
        ? [args.props]
        : asArray(args.props.variables).map((v) => asObject(v) ?? {});
    for (const v of vars) {
      const key = asString(v.key);
      if (!key || !isCredentialName(key)) continue;
      const targets = asArray(v.targets);
      const exposed =
        targets.length === 0 || targets.some((t) => t === "production" || t === "preview");
      if (exposed && v.sensitive !== true) {
        report(
          `${label(args)} sets ${key} for ${targets.length ? targets.join(", ") : "custom environments"} without sensitive: true.`,
        );
      }
    }
  });
}
