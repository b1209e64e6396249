import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { readStackFile } from "../../offline/stack-file";
import { exitCodeOf, parseOptions, PROJECT, ROOT, stackName, UsageError } from "../lib/cli";

export const USAGE = `Usage: npm run rollback -- --stack <dev|staging|prod> [--to <deployment-id>] [--project-id <id>]

  --stack <name>        The stack whose app to roll back; its Vercel team is ara:vercelTeam.
  --to <id>             Promote this deployment (dpl_…) instead of the previous one.
  --project-id <id>     The Vercel project (prj_…); default: \`pulumi stack output appProjectId\`.

Promotes an earlier READY production deployment of the project through Vercel's REST API, with
no rebuild. The token comes from VERCEL_TOKEN (or VERCEL_API_TOKEN) and is never printed.
Infrastructure is not touched: revert the change and run \`pulumi up\` afterwards (decision 0013).
Exit codes: 0 promoted; 1 Vercel refused or nothing to roll back to; 2 invalid usage.`;

/** Vercel answered, but not with a rollback; the message says what to do. */
class RollbackError extends Error {}

export interface Deployment {
  uid: string;
  url?: string;
  created?: number;
  createdAt?: number;
  state?: string;
  readyState?: string;
  target?: string | null;
}

export function main(argv: string[]): Promise<number> {
  return exitCodeOf(async () => {
    try {
      return await rollback(argv);
    } catch (err) {
      if (!(err instanceof RollbackError)) throw err;
      process.stderr.write(`rollback failed: ${err.message}\n`);
      return 1;
    }
  });
}

async function rollback(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (!args) return 0;
  const token = process.env.VERCEL_TOKEN || process.env.VERCEL_API_TOKEN;
  if (!token)
    throw new UsageError(
      "No Vercel token: set VERCEL_TOKEN (the deploy workflow maps the environment's VERCEL_API_TOKEN secret to it).",
    );
  const team = stackTeam(args.stack);
  const projectId = args.projectId ?? projectFromStack(args.stack);
  const api = new VercelApi(process.env.VERCEL_API_URL ?? "https://api.vercel.com", token, team);
  const ready = await api.readyProductionDeployments(projectId);
  if (ready.length === 0)
    throw new RollbackError(
      `Project ${projectId} has no READY production deployment in team ${team}; check --project-id and ara:vercelTeam.`,
    );
  const current = ready[0]!;
  const target = args.to ? ready.find((d) => d.uid === args.to) : ready[1];
  if (!target)
    throw new RollbackError(
      args.to
        ? `${args.to} is not a READY production deployment of project ${projectId}; list them with \`vercel ls --prod\` and pass one with --to.`
        : `Project ${projectId} has only one READY production deployment (${current.uid}): there is nothing earlier to roll back to. Fix forward instead.`,
    );
  if (target.uid === current.uid)
    throw new RollbackError(`${target.uid} is already the newest production deployment.`);
  await api.promote(projectId, target.uid);
  process.stdout.write(
    `Promoted ${target.uid}${target.url ? ` (${target.url})` : ""} to production in place of ${current.uid}. ` +
      "Vercel switches the production domains asynchronously: check with `vercel promote status`.\n",
  );
  return 0;
}

/**
 * The two calls of Vercel's REST API a rollback needs (https://vercel.com/docs/rest-api):
 * list deployments (GET /v6/deployments) and promote (POST /v10/projects/{id}/promote/{dpl}).
 */
export class VercelApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly team: string,
  ) {}

  private teamQuery(): Record<string, string> {
    // ara:vercelTeam holds a slug or a team_ ID; the API takes them as different parameters.
    return this.team.startsWith("team_") ? { teamId: this.team } : { slug: this.team };
  }

  private async call(method: string, pathname: string, query: Record<string, string>) {
    const url = new URL(pathname, this.base);
    for (const [k, v] of Object.entries({ ...query, ...this.teamQuery() }))
      url.searchParams.set(k, v);
    let res: globalThis.Response;
    try {
      res = await fetch(url, { method, headers: { authorization: `Bearer ${this.token}` } });
    } catch (err) {
      throw new RollbackError(`cannot reach ${url.origin}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: { message: text.slice(0, 200) } };
    }
    if (!res.ok) {
      const said = body?.error?.message ?? body?.error?.code ?? res.statusText;
      const hint =
        res.status === 401 || res.status === 403
          ? " Check that VERCEL_TOKEN is valid and scoped to the team in ara:vercelTeam."
          : res.status === 404
            ? " Check --project-id and ara:vercelTeam."
            : "";
      throw new RollbackError(
        `Vercel answered ${res.status} to ${method} ${url.pathname}: ${said}.${hint}`,
      );
    }
    return body;
  }

  /** READY production deployments of the project, newest first (up to 100). */
  async readyProductionDeployments(projectId: string): Promise<Deployment[]> {
    const out: Deployment[] = [];
    let until: string | undefined;
    for (let page = 0; page < 5; page++) {
      const body = await this.call("GET", "/v6/deployments", {
        projectId,
        target: "production",
        state: "READY",
        limit: "20",
        ...(until ? { until } : {}),
      });
      out.push(...((body.deployments ?? []) as Deployment[]));
      const next = body.pagination?.next;
      if (!next) break;
      until = String(next);
    }
    const at = (d: Deployment) => d.createdAt ?? d.created ?? 0;
    return out
      .filter((d) => (d.readyState ?? d.state) === "READY" && d.target === "production")
      .sort((a, b) => at(b) - at(a));
  }

  async promote(projectId: string, deploymentId: string): Promise<void> {
    await this.call(
      "POST",
      `/v10/projects/${encodeURIComponent(projectId)}/promote/${encodeURIComponent(deploymentId)}`,
      {},
    );
  }
}

function parse(argv: string[]) {
  const v = parseOptions(
    argv,
    {
      stack: { type: "string" },
      to: { type: "string" },
      "project-id": { type: "string" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const stack = stackName(v.stack, USAGE);
  return { stack, to: v.to, projectId: v["project-id"] };
}

function stackTeam(stack: string): string {
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  if (!existsSync(file))
    throw new UsageError(
      `Unknown stack '${stack}': there is no Pulumi.${stack}.yaml. Pass --stack dev, staging or prod.`,
    );
  const team = readStackFile(file, PROJECT).config["ara:vercelTeam"];
  if (!team) throw new UsageError(`${file} sets no ara:vercelTeam; set the Vercel team there.`);
  return team;
}

/** The project id the last `pulumi up` exported, read with the Pulumi CLI. */
function projectFromStack(stack: string): string {
  try {
    return execFileSync("pulumi", ["stack", "output", "appProjectId", "--stack", stack], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new UsageError(
      e.code === "ENOENT"
        ? "The Pulumi CLI is not on PATH, so the project id cannot be read from the stack: pass --project-id prj_… (Vercel dashboard > Project > Settings)."
        : `\`pulumi stack output appProjectId --stack ${stack}\` failed: ${String(e.stderr ?? e.message).trim()}. Log in to the state backend first, or pass --project-id.`,
    );
  }
}
