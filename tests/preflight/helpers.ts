import * as path from "node:path";
import type { CapturedResource, ProgramRun } from "../../offline/engine";
import { PROJECT, ROOT } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";
import {
  checkResources,
  todayUtc,
  type PreflightResource,
  type RuleContext,
} from "../../preflight";
import { resolveStackConfig } from "../../stacks/load";
import type { StackConfig } from "../../stacks/schema";
import { planStack, type StackName } from "../harness";

export interface PlannedStack {
  run: ProgramRun;
  config: StackConfig;
  ctx: RuleContext;
}

/** The real program's resources for a stack, and the resolved config its plan-dependent rules read. */
export async function planned(stack: StackName): Promise<PlannedStack> {
  const run = await planStack(stack);
  const file = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT);
  const config = resolveStackConfig(file.config, { stack, offline: true });
  return { run, config, ctx: { config, today: todayUtc() } };
}

/** What the preflight reads of a captured resource: its real (secret-unwrapped) inputs. */
export function asPreflight(r: CapturedResource): PreflightResource {
  return { type: r.type, name: r.name, inputs: r.props };
}

export function preflightOf(p: PlannedStack) {
  return checkResources(p.run.resources.map(asPreflight), p.ctx);
}
