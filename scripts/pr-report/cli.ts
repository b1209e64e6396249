import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compareStack, renderPrReport } from "../../offline/pr-report";
import { exitCodeOf, parseOptions, UsageError } from "../lib/cli";
import type { PlanDocument } from "../../offline/render";

export const USAGE = `Usage: npm run pr-report -- --base <dir> --head <dir> [--preview <dir>] [--out <file>] [--base-ref <name>] [--head-ref <name>]

  --base <dir>       Plans of the base commit: one <stack>.json per stack, saved with
                     \`npm run -s plan -- --stack <stack> --json > <dir>/<stack>.json\`.
  --head <dir>       Plans of the head commit, in the same form.
  --preview <dir>    Optional: <stack>.txt files holding \`pulumi preview --diff\` output.
  --out <file>       Write the markdown there instead of to stdout.
  --base-ref, --head-ref   Names of the two commits for the header (e.g. short SHAs).

Exit codes: 0 the report was written; 2 invalid usage or unreadable plans.`;

export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const args = parse(argv);
    if (!args) return 0;
    const base = readPlans(args.base, "--base");
    const head = readPlans(args.head, "--head");
    const stacks = sortStacks([...new Set([...Object.keys(base), ...Object.keys(head)])]);
    if (stacks.length === 0)
      throw new UsageError(
        `Neither ${args.base} nor ${args.head} holds a <stack>.json plan. Save them with \`npm run -s plan -- --stack <stack> --json > <dir>/<stack>.json\`.`,
      );
    const reports = stacks.map((s) => compareStack(s, base[s], head[s]));
    const markdown = renderPrReport(reports, {
      baseRef: args.baseRef,
      headRef: args.headRef,
      previews: args.preview ? readPreviews(args.preview) : undefined,
    });
    if (args.out) writeFileSync(args.out, markdown);
    else process.stdout.write(markdown);
    return 0;
  });
}

function parse(argv: string[]) {
  const v = parseOptions(
    argv,
    {
      base: { type: "string" },
      head: { type: "string" },
      preview: { type: "string" },
      out: { type: "string" },
      "base-ref": { type: "string" },
      "head-ref": { type: "string" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  if (!v.base || !v.head) throw new UsageError(`--base and --head are required.\n\n${USAGE}`);
  return {
    base: v.base,
    head: v.head,
    preview: v.preview,
    out: v.out,
    baseRef: v["base-ref"],
    headRef: v["head-ref"],
  };
}

/** dev, staging, prod first, in promotion order; any other stack after them by name. */
function sortStacks(stacks: string[]): string[] {
  const order = ["dev", "staging", "prod"];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return stacks.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function readPlans(dir: string, option: string): Record<string, PlanDocument> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(
      `${option} ${dir} is not a directory. Pass the directory the plans were saved in.`,
    );
  const plans: Record<string, PlanDocument> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const full = path.join(dir, file);
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(full, "utf8"));
    } catch (err) {
      throw new UsageError(
        `Cannot read the plan ${full}: ${(err as Error).message}. Save it again with \`npm run -s plan -- --stack <stack> --json\` (the -s keeps npm's banner out of the JSON).`,
      );
    }
    if (!doc || typeof doc !== "object" || !Array.isArray((doc as PlanDocument).resources))
      throw new UsageError(`${full} is not a plan saved with --json (it has no "resources" list).`);
    plans[(doc as PlanDocument).stack ?? file.replace(/\.json$/, "")] = doc as PlanDocument;
  }
  return plans;
}

function readPreviews(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".txt"))
      .map((f) => [f.replace(/\.txt$/, ""), readFileSync(path.join(dir, f), "utf8")]),
  );
}
