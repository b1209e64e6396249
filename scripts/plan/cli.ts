import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { resolveSecrets, resolveStackConfig } from "../../stacks/load";
import { PROJECT, ROOT, runProgram } from "../../offline/engine";
import {
  diffPlans,
  isBlocked,
  renderDiff,
  renderMarkdown,
  renderTree,
  renderVerdict,
  toDocument,
  type PlanDocument,
  type PlanVerdict,
} from "../../offline/render";
import { ConfigError } from "../../stacks/errors";
import { exitCodeOf, parseOptions, stackName, UsageError } from "../lib/cli";
import { readStackFile } from "../../offline/stack-file";

export const USAGE = `Usage: npm run plan -- --stack <dev|staging|prod> [--config-file <file>] [--json | --markdown] [--diff <plan.json>] [--policy-pack-config <file>] [--wide]
       npm run plan -- --project bootstrap --stack <name> [--json] [--wide]

  --stack <name>                Stack to plan; reads Pulumi.<name>.yaml unless --config-file is given.
  --config-file <file>          A file in Pulumi.<stack>.yaml format to plan instead.
  --json                        Print exactly one JSON document instead of the tree.
  --markdown                    Print a summary for a pull-request comment.
  --diff <plan.json>            Compare with a plan saved earlier with --json.
  --policy-pack-config <file>   Policy config to apply (default policies/config/<environment>.json).
  --wide                        Show long inputs whole instead of cutting the text at 120 columns.
  --project <dir>               Plan another Pulumi project of this repository (bootstrap); its
                                stack file is <dir>/Pulumi.<stack>.yaml. No policy pack or cost.

Exit codes: 0 success; 1 a mandatory policy violation; 2 invalid configuration or usage.`;

export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const args = parseCommandLine(argv);
    if (args.project) return await planOtherProject(args);
    const file = args.configFile ?? path.join(ROOT, `Pulumi.${args.stack}.yaml`);
    if (!args.configFile && !existsSync(file)) {
      const known = ["dev", "staging", "prod"].filter((s) =>
        existsSync(path.join(ROOT, `Pulumi.${s}.yaml`)),
      );
      throw new UsageError(
        `Unknown stack '${args.stack}': there is no Pulumi.${args.stack}.yaml. Known stacks: ${known.join(", ")}. ` +
          `Pass one of them with --stack, or plan another settings file with --config-file <file>.`,
      );
    }
    const { config, secretKeys } = readStackFile(file, PROJECT);

    // Validate before the engine starts, so an invalid stack registers nothing at all.
    const options = { stack: args.stack, offline: true };
    resolveStackConfig(config, options);
    resolveSecrets(config, new Set(secretKeys), {}, options);

    const run = await runProgram({ stack: args.stack, config, secretKeys });
    // The policy pack runs in this process through its real analyzer functions; it is loaded
    // only now, so an invalid config fails before the policy SDK is even required.
    const { costSpike, evaluateStack } =
      require("../../policies/evaluate") as typeof import("../../policies/evaluate");
    const verdict: PlanVerdict = await evaluateStack({
      stack: args.stack,
      config,
      resources: run.resources,
      policyConfig: args.policyConfig ? readJson(args.policyConfig, "policy config") : undefined,
    });
    const document = toDocument(run, verdict);
    // npm run bench reads the preflight's own time from here (it is not in any output format).
    if (process.env.ARA_PLAN_TIMINGS && verdict.preflight) {
      process.stderr.write(`timing: preflight ${verdict.preflight.ms.toFixed(1)} ms\n`);
    }
    const code = isBlocked(verdict) ? 1 : 0;

    if (args.diff) {
      const saved = readSavedPlan(args.diff);
      const diff = diffPlans(saved, document, args.diff);
      // ARA's "unexpected cost spikes > 50%" (docs/architecture.md), between the saved plan and this one.
      const before = (saved.cost as { monthlyTotal?: unknown } | null)?.monthlyTotal;
      const spike =
        typeof before === "number" ? costSpike(before, verdict.cost.monthlyTotal) : undefined;
      process.stdout.write(
        args.json
          ? `${JSON.stringify({ ...diff, costSpike: spike?.message ?? null }, null, 2)}\n`
          : `${renderDiff(diff, { wide: args.wide })}${spike ? `\nCost spike: ${spike.message}\n` : ""}`,
      );
      return code;
    }
    if (args.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    else if (args.markdown) process.stdout.write(renderMarkdown(run, verdict));
    else {
      const configLine = `Config: ${path.relative(process.cwd(), file) || file} is valid for stack ${args.stack}.`;
      process.stdout.write(
        renderTree(run, configLine, { wide: args.wide }) +
          renderVerdict(verdict, { wide: args.wide }),
      );
    }
    return code;
  }, [ConfigError]);
}

/**
 * Another project of this repository (`bootstrap/`), run under the same mocks. The policy pack
 * and the cost model describe the ara program only, so the plan is the graph alone.
 */
async function planOtherProject(args: Args): Promise<number> {
  const dir = path.join(ROOT, args.project!);
  const projectFile = path.join(dir, "Pulumi.yaml");
  if (!/^[a-z0-9-]+$/.test(args.project!) || !existsSync(projectFile))
    throw new UsageError(
      `--project ${args.project}: there is no ${path.relative(ROOT, projectFile)}. The other project here is: bootstrap.`,
    );
  if (args.markdown || args.diff || args.policyConfig)
    throw new UsageError(
      `--project ${args.project} plans the graph only: --markdown, --diff and --policy-pack-config apply to the ara program.`,
    );
  const project = parseYaml(readFileSync(projectFile, "utf8")) as { name: string; main?: string };
  const file = args.configFile ?? path.join(dir, `Pulumi.${args.stack}.yaml`);
  if (!existsSync(file))
    throw new UsageError(
      `Unknown stack '${args.stack}' of project ${project.name}: there is no ${path.relative(ROOT, file)}.`,
    );
  const { config, secretKeys } = readStackFile(file, project.name);
  const run = await runProgram({
    stack: args.stack,
    config,
    secretKeys,
    project: project.name,
    entry: path.join(dir, project.main ?? "index.ts"),
  });
  if (args.json) process.stdout.write(`${JSON.stringify(toDocument(run), null, 2)}\n`);
  else
    process.stdout.write(
      renderTree(
        run,
        `Config: ${path.relative(process.cwd(), file) || file} (project ${project.name}).`,
        {
          wide: args.wide,
        },
      ),
    );
  return 0;
}

interface Args {
  project?: string;
  stack: string;
  configFile?: string;
  json: boolean;
  markdown: boolean;
  diff?: string;
  policyConfig?: string;
  wide: boolean;
}

function parseCommandLine(argv: string[]): Args {
  const v = parseOptions(
    argv,
    {
      stack: { type: "string" },
      "config-file": { type: "string" },
      json: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      diff: { type: "string" },
      "policy-pack-config": { type: "string" },
      wide: { type: "boolean", default: false },
      project: { type: "string" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const stack = stackName(v.stack, USAGE);
  if (v.json && v.markdown)
    throw new UsageError(`--json and --markdown are alternatives; pass one.\n\n${USAGE}`);
  return {
    project: v.project,
    stack,
    configFile: v["config-file"],
    json: v.json === true,
    markdown: v.markdown === true,
    diff: v.diff,
    policyConfig: v["policy-pack-config"],
    wide: v.wide === true,
  };
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`Cannot read the ${what} ${file}: ${(err as Error).message}.`);
  }
}

function readSavedPlan(file: string): PlanDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `Cannot read the saved plan ${file}: ${(err as Error).message}. Save one with \`npm run -s plan -- --stack <s> --json > ${file}\`.`,
    );
  }
  if (!doc || typeof doc !== "object" || !Array.isArray((doc as PlanDocument).resources)) {
    throw new UsageError(`${file} is not a plan saved with --json (it has no "resources" list).`);
  }
  return doc as PlanDocument;
}
