// Argument checks shared by `npm run drill` and `npm run restore`. Every refusal is a UsageError
// (exit 2) whose message names the argument, the problem and the fix.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { readStackFile } from "../offline/stack-file";
import { PROJECT, ROOT, UsageError } from "../scripts/lib/cli";

export { PROJECT, ROOT, UsageError };

/** The stack's settings file, read as the CLI hands it to the program. */
export function stackConfig(stack: string | undefined, usage: string): Record<string, string> {
  if (!stack)
    throw new UsageError(`--stack is required: pass --stack dev, staging or prod.\n\n${usage}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new UsageError(
      `--stack '${stack}' is not a stack name: pass --stack dev, staging or prod.`,
    );
  }
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    throw new UsageError(
      `--stack '${stack}' is unknown: there is no Pulumi.${stack}.yaml. Pass --stack dev, staging or prod.`,
    );
  }
  return readStackFile(file, PROJECT).config;
}

/** The stack's environment (ara:environment), which decides what counts as production. */
export function environmentOf(stack: string, config: Record<string, string>): string {
  return config["ara:environment"] ?? stack;
}

/** A past UTC time in ISO 8601; a malformed or future time is refused. */
export function pastTime(flag: string, value: string, now = Date.now()): Date {
  // Date.parse accepts things like "3" or "March 5"; a restore needs an exact instant.
  const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
  const m = iso.exec(value);
  let at = m ? Date.parse(value) : NaN;
  // V8 rolls 2026-02-30 over to March 2 and reads hour 24 as the next day: refuse both rather
  // than restore from a time nobody meant.
  let why = "";
  if (m && Number.isFinite(at)) {
    const [year, month, day, hour] = m.slice(1, 5).map(Number) as [number, number, number, number];
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day > days) why = ` (${m[1]}-${m[2]} has ${days} days)`;
    else if (hour > 23) why = " (hours run from 00 to 23)";
    if (why) at = NaN;
  }
  if (!Number.isFinite(at)) {
    throw new UsageError(
      `${flag} '${value}' is not a time${why}: give an ISO 8601 instant with a zone, e.g. ${new Date(now - 3_600_000).toISOString().slice(0, 19)}Z.`,
    );
  }
  if (at > now) {
    throw new UsageError(
      `${flag} ${value} is in the future (now is ${new Date(now).toISOString()}): nothing can be restored from a time that has not happened; give a past time.`,
    );
  }
  return new Date(at);
}

/** A command that writes to production runs only when asked to explicitly. */
export function requireYes(environment: string, yes: boolean, what: string): void {
  if (environment === "prod" && !yes) {
    throw new UsageError(
      `--yes is required for --stack prod: ${what}. Re-run with --yes once you mean it${what.includes("restore") ? ", after a --dry-run" : ""}.`,
    );
  }
}
