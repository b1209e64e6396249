import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../stacks/errors";
import { resolveSecrets, resolveStackConfig } from "../../stacks/load";
import { PROJECT, ROOT, runProgram } from "./engine";
import { diffPlans, renderDiff, renderTree, toDocument, type PlanDocument } from "./render";
import { readStackFile, StackFileError } from "./stack-file";

export const USAGE = `Usage: npm run plan -- --stack <dev|staging|prod> [--config-file <file>] [--json] [--diff <plan.json>]

  --stack <name>         Stack to plan; reads Pulumi.<name>.yaml unless --config-file is given.
  --config-file <file>   A file in Pulumi.<stack>.yaml format to plan instead.
  --json                 Print exactly one JSON document instead of the tree.
  --diff <plan.json>     Compare with a plan saved earlier with --json.

Exit codes: 0 success; 1 a mandatory policy violation; 2 invalid configuration or usage.`;

/** Invalid command-line usage: exit 2 with a message, never a stack trace. */
class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseCommandLine(argv);
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
    const document = toDocument(run);

    if (args.diff) {
      const diff = diffPlans(readSavedPlan(args.diff), document, args.diff);
      process.stdout.write(args.json ? `${JSON.stringify(diff, null, 2)}\n` : renderDiff(diff));
      return 0;
    }
    process.stdout.write(
      args.json
        ? `${JSON.stringify(document, null, 2)}\n`
        : renderTree(
            run,
            `Config: ${path.relative(process.cwd(), file) || file} is valid for stack ${args.stack}.`,
          ),
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StackFileError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

interface Args {
  stack: string;
  configFile?: string;
  json: boolean;
  diff?: string;
}

function parseCommandLine(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        "config-file": { type: "string" },
        json: { type: "boolean", default: false },
        diff: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!v.stack) throw new UsageError(`--stack is required.\n\n${USAGE}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(v.stack))
    throw new UsageError(`Invalid stack name '${v.stack}'.\n\n${USAGE}`);
  return { stack: v.stack, configFile: v["config-file"], json: v.json === true, diff: v.diff };
}

function readSavedPlan(file: string): PlanDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `Cannot read the saved plan ${file}: ${(err as Error).message}. Save one with \`npm run plan -- --stack <s> --json > ${file}\`.`,
    );
  }
  if (!doc || typeof doc !== "object" || !Array.isArray((doc as PlanDocument).resources)) {
    throw new UsageError(`${file} is not a plan saved with --json (it has no "resources" list).`);
  }
  return doc as PlanDocument;
}
