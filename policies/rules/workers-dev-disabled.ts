import type { StackValidationPolicy } from "@pulumi/policy";
import { label, refersTo, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "workers-dev-disabled",
  description:
    "Workers must not be reachable on workers.dev: each script has a WorkersScriptSubdomain with enabled = false.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediation:
    "Add a cloudflare.WorkersScriptSubdomain { enabled: false, previewsEnabled: false } for the script in components/storage.",
};

/**
 * The signer must only be reachable through the zone (api.<domain>/r2/*), where HSTS, the
 * minimum TLS version and the rate limit apply; workers.dev bypasses all three.
 * @severity medium
 */
export function workersDevDisabled(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const scripts = args.resources.filter((r) => r.type === T.workersScript);
    if (scripts.length === 0) args.notApplicable("the stack has no Workers scripts");
    for (const script of scripts) {
      const subs = args.resources.filter(
        (r) => r.type === T.workersSubdomain && refersTo(r, script, "scriptName", ["scriptName"]),
      );
      if (subs.length === 0)
        report(
          `${label(script)} has no WorkersScriptSubdomain; workers.dev is left as the account default.`,
        );
      for (const s of subs) {
        if (s.props.enabled !== false)
          report(`${label(s)} enables workers.dev for ${label(script)}.`);
        if (s.props.previewsEnabled === true)
          report(`${label(s)} enables preview URLs for ${label(script)}.`);
      }
    }
  });
}
