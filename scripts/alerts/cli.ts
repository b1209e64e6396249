import { stackAlerts, stackJobs } from "../../observability/alerts";
import { prometheusRules } from "../../observability/prometheus";
import { resolveStackConfig } from "../../stacks/load";
import { ConfigError } from "../../stacks/errors";
import { exitCodeOf, parseOptions, stackFileConfig, UsageError } from "../lib/cli";

export const USAGE = `Usage: npm run alerts -- --stack <dev|staging|prod> [--config-file <file>] [--format prometheus]

  --stack <name>          Stack whose alerts to print; reads Pulumi.<name>.yaml unless --config-file is given.
  --config-file <file>    A file in Pulumi.<stack>.yaml format to read instead.
  --format prometheus     A Prometheus rules file (the only format; the default).

Exit codes: 0 success; 2 invalid configuration or usage.`;

/** Prints the stack's alerts; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const args = parse(argv);
    const raw = stackFileConfig(args.stack, args.configFile);
    const config = resolveStackConfig(raw, { stack: args.stack, offline: true });
    const { alerting, runbookBaseUrl } = config.observability;
    const alerts = stackAlerts(alerting, "prometheus", stackJobs(args.stack), runbookBaseUrl);
    process.stdout.write(prometheusRules(args.stack, alerts, alerting.evaluationIntervalSeconds));
    return 0;
  }, [ConfigError]);
}

function parse(argv: string[]): { stack: string; configFile?: string } {
  const values = parseOptions(
    argv,
    {
      stack: { type: "string" },
      "config-file": { type: "string" },
      format: { type: "string", default: "prometheus" },
    },
    USAGE,
  );
  if (!values.stack) throw new UsageError(`--stack is required.\n\n${USAGE}`);
  if (values.format !== "prometheus") {
    throw new UsageError(
      `--format ${values.format} is not supported: use --format prometheus (Grafana's rule groups are deployed by the program).\n\n${USAGE}`,
    );
  }
  return { stack: values.stack, configFile: values["config-file"] };
}
