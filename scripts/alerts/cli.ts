import { existsSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT, ROOT } from "../../offline/engine";
import { readStackFile, StackFileError } from "../../offline/stack-file";
import { stackAlerts, stackJobs } from "../../observability/alerts";
import { prometheusRules } from "../../observability/prometheus";
import { ConfigError } from "../../stacks/errors";
import { resolveStackConfig } from "../../stacks/load";

export const USAGE = `Usage: npm run alerts -- --stack <dev|staging|prod> [--config-file <file>] [--format prometheus]

  --stack <name>          Stack whose alerts to print; reads Pulumi.<name>.yaml unless --config-file is given.
  --config-file <file>    A file in Pulumi.<stack>.yaml format to read instead.
  --format prometheus     A Prometheus rules file (the only format; the default).

Exit codes: 0 success; 2 invalid configuration or usage.`;

class UsageError extends Error {}

/** Prints the stack's alerts; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parse(argv);
    const file = args.configFile ?? path.join(ROOT, `Pulumi.${args.stack}.yaml`);
    if (!existsSync(file)) {
      throw new UsageError(
        `There is no ${path.relative(ROOT, file) || file}: pass a known stack (dev, staging, prod) with --stack, or a settings file with --config-file.`,
      );
    }
    const { config: raw } = readStackFile(file, PROJECT);
    const config = resolveStackConfig(raw, { stack: args.stack, offline: true });
    const { alerting, runbookBaseUrl } = config.observability;
    const alerts = stackAlerts(alerting, "prometheus", stackJobs(args.stack), runbookBaseUrl);
    process.stdout.write(prometheusRules(args.stack, alerts, alerting.evaluationIntervalSeconds));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StackFileError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function parse(argv: string[]): { stack: string; configFile?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        "config-file": { type: "string" },
        format: { type: "string", default: "prometheus" },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (!values.stack) throw new UsageError(`--stack is required.\n\n${USAGE}`);
  if (values.format !== "prometheus") {
    throw new UsageError(
      `--format ${values.format} is not supported: use --format prometheus (Grafana's rule groups are deployed by the program).\n\n${USAGE}`,
    );
  }
  return { stack: values.stack, configFile: values["config-file"] };
}
