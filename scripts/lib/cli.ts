// What every `npm run <command>` shares: how its command line is parsed, how a refusal becomes
// exit 2 with one message on stderr, and how a stack's settings file is found.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readStackFile, StackFileError } from "../../offline/stack-file";

// Not imported from offline/engine, nor is stacks/errors: both load the Pulumi SDK, seconds on a
// busy runner, and `npm run verify` and `rollback` run in the deploy job without it.
export const ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT = "ara";

/** A refusal of the command line or its inputs: exit 2; the message names the argument and the fix. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Options only, strictly: an unknown option, a missing value or a stray positional argument is
 * a {@link UsageError} that ends with the command's usage.
 */
export function parseOptions<const O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

/** `--stack`: required, and a name Pulumi accepts for a stack. */
export function stackName(stack: string | undefined, usage: string): string {
  if (!stack) throw new UsageError(`--stack is required.\n\n${usage}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new UsageError(`Invalid stack name '${stack}'.\n\n${usage}`);
  }
  return stack;
}

/**
 * The flat config of `Pulumi.<stack>.yaml`, or of the file `--config-file` names instead, as
 * the Pulumi CLI hands it to the program.
 */
export function stackFileConfig(stack: string, configFile?: string): Record<string, string> {
  const file = configFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    throw new UsageError(
      `There is no ${path.relative(ROOT, file) || file}: pass a known stack (dev, staging, prod) with --stack, or a settings file with --config-file.`,
    );
  }
  return readStackFile(file, PROJECT).config;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a command's body. A refusal (a {@link UsageError}, an unreadable stack file, or one of
 * `alsoRefusals`, such as stacks/errors' ConfigError) prints its message alone on stderr, with
 * no stack trace, and exits 2; anything else is a bug and propagates.
 */
export async function exitCodeOf(
  body: () => Promise<number>,
  alsoRefusals: ErrorClass[] = [],
): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const refusals: ErrorClass[] = [UsageError, StackFileError, ...alsoRefusals];
    if (refusals.some((c) => err instanceof c)) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
