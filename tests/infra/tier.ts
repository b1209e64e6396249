import type { CapturedResource, ProgramRun } from "../../offline/engine";
import { ofType, one, planAll, STACKS, type StackName } from "../harness";

/** Domains of the committed stack files (Pulumi.<stack>.yaml `ara:domain`). */
export const DOMAINS: Record<StackName, string> = {
  dev: "ara-dev.example",
  staging: "ara-staging.example",
  prod: "ara.example",
};

/** The component of `type` (e.g. `ara:storage:Storage`) and every resource it parents. */
export function component(
  run: ProgramRun,
  type: string,
): { self: CapturedResource; children: CapturedResource[] } {
  const self = one(run, type);
  return { self, children: run.resources.filter((r) => r.parent === self.urn) };
}

export { ofType, one, planAll, STACKS, type StackName };

/** Reads a nested input by a dotted path such as `rules.0.ratelimit.period`. */
export function at(r: CapturedResource, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>(
      (v, k) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[k]),
      r.inputs,
    );
}
