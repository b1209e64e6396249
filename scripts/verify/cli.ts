import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

import { readStackFile } from "../../offline/stack-file";
import { exitCodeOf, parseOptions, PROJECT, ROOT, stackName, UsageError } from "../lib/cli";
import { runChecks, type CheckResult } from "./checks";

export const USAGE = `Usage: npm run verify -- --stack <dev|staging|prod> [--base-url <url>] [--api-url <url>] [--json] [--deadline <seconds>] [--ca-file <pem>]

  --stack <name>        The deployed stack; its hosts are app.<ara:domain> and api.<ara:domain>.
  --base-url <url>      The app's URL instead of https://app.<domain> (a preview, a local run).
  --api-url <url>       The signer's URL instead of https://api.<domain>.
  --json                Print one JSON document instead of the table.
  --deadline <seconds>  Retry failing checks until this many seconds have passed (default 120).
  --ca-file <pem>       Also trust these CA certificates (a self-signed test endpoint).

TLS and HSTS are checked on https:// URLs only; a plain http:// URL reports them as skipped.
Exit codes: 0 every check passed; 1 a check failed (named on stderr); 2 invalid usage.`;

export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const args = parse(argv);
    if (!args) return 0;
    const domain = args.baseUrl && args.apiUrl ? undefined : stackDomain(args.stack);
    const appUrl = trim(args.baseUrl ?? `https://app.${domain}`);
    const apiUrl = trim(args.apiUrl ?? `https://api.${domain}`);
    const ca = args.caFile ? readCa(args.caFile) : undefined;
    const results = await runChecks(
      { appUrl, apiUrl, ca },
      Date.now() + args.deadlineSeconds * 1000,
      Math.min(2000, args.deadlineSeconds * 250),
    );
    const ok = results.every((r) => r.status !== "fail");
    if (args.json)
      process.stdout.write(
        `${JSON.stringify({ stack: args.stack, appUrl, apiUrl, ok, checks: results }, null, 2)}\n`,
      );
    else process.stdout.write(table(results));
    const failed = results.filter((r) => r.status === "fail");
    for (const f of failed) process.stderr.write(`verify failed: ${f.name}: ${f.detail}\n`);
    return ok ? 0 : 1;
  });
}

const trim = (u: string) => u.replace(/\/+$/, "");

function table(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const mark = { pass: "PASS", fail: "FAIL", skip: "SKIP" } as const;
  return (
    results
      .map(
        (r) =>
          `${mark[r.status]}  ${r.name.padEnd(width)}  ${r.detail}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ""}`,
      )
      .join("\n") + "\n"
  );
}

function parse(argv: string[]) {
  const v = parseOptions(
    argv,
    {
      stack: { type: "string" },
      "base-url": { type: "string" },
      "api-url": { type: "string" },
      json: { type: "boolean", default: false },
      deadline: { type: "string", default: "120" },
      "ca-file": { type: "string" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const stack = stackName(v.stack, USAGE);
  for (const opt of ["base-url", "api-url"] as const) {
    const u = v[opt];
    if (u !== undefined && !/^https?:\/\/[^/]+/.test(u))
      throw new UsageError(`--${opt} must be an http:// or https:// URL, not '${u}'.`);
  }
  const deadlineSeconds = Number(v.deadline);
  if (!Number.isFinite(deadlineSeconds) || deadlineSeconds <= 0)
    throw new UsageError(`--deadline must be a number of seconds above 0, not '${v.deadline}'.`);
  return {
    stack,
    baseUrl: v["base-url"],
    apiUrl: v["api-url"],
    json: v.json === true,
    deadlineSeconds,
    caFile: v["ca-file"],
  };
}

/** ara:domain from the committed stack file: the hosts a deployment serves. */
function stackDomain(stack: string): string {
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  if (!existsSync(file))
    throw new UsageError(
      `Unknown stack '${stack}': there is no Pulumi.${stack}.yaml. Pass --stack dev, staging or prod, or give --base-url and --api-url.`,
    );
  const domain = readStackFile(file, PROJECT).config["ara:domain"];
  if (!domain)
    throw new UsageError(`${file} sets no ara:domain; set it, or give --base-url and --api-url.`);
  return domain;
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`Cannot read --ca-file ${file}: ${(err as Error).message}.`);
  }
}
