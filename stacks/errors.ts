import * as pulumi from "@pulumi/pulumi";

/**
 * One problem with a stack's configuration, phrased for the person who must fix it:
 * which key, what is wrong, and the command or edit that fixes it.
 */
export interface ConfigProblem {
  /** The full config key, e.g. `ara:database.replicas`. */
  key: string;
  /** What is wrong, e.g. `must be 0 or at least 2; got 1`. */
  problem: string;
  /** How to fix it, usually an exact `pulumi config` command. */
  fix: string;
}

/**
 * Thrown before any resource is registered when a stack's configuration is invalid.
 * Its message is one paragraph per problem; it never carries a stack trace to the user
 * (the plan prints `message` only; Pulumi's host prints a RunError without its stack).
 */
export class ConfigError extends pulumi.RunError {
  readonly problems: readonly ConfigProblem[];

  constructor(stack: string, problems: readonly ConfigProblem[]) {
    super(ConfigError.format(stack, problems));
    this.name = "ConfigError";
    this.problems = problems;
  }

  static format(stack: string, problems: readonly ConfigProblem[]): string {
    const head =
      problems.length === 1
        ? `Stack '${stack}' has an invalid configuration:`
        : `Stack '${stack}' has ${problems.length} configuration problems:`;
    const lines = problems.map((p) => `  - ${p.key}: ${p.problem}\n    Fix: ${p.fix}`);
    return [head, ...lines].join("\n");
  }
}
