import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../../offline/engine";
import { startFakeVercel, type FakeDeployment, type FakeVercel } from "./fake-vercel";

const exec = promisify(execFile);
const TOKEN = "vercel-token-for-tests-0123456789";
// The committed dev stack's ara:vercelTeam.
const TEAM = "team_placeholder";
const PROJECT = "prj_ara_dev_web";

async function rollback(args: string[], env: Record<string, string | undefined>) {
  const clean = { ...process.env, VERCEL_TOKEN: undefined, VERCEL_API_TOKEN: undefined, ...env };
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(ROOT, "scripts", "rollback", "bin.js"), ...args],
      { cwd: ROOT, env: clean as NodeJS.ProcessEnv },
    );
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
}

const dpl = (
  uid: string,
  createdAt: number,
  over: Partial<FakeDeployment> = {},
): FakeDeployment => ({
  uid,
  projectId: PROJECT,
  target: "production",
  readyState: "READY",
  createdAt,
  url: `ara-dev-web-${uid}.vercel.app`,
  ...over,
});

describe("npm run rollback against a fake of Vercel's REST API", () => {
  let fake: FakeVercel | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const start = async (deployments: FakeDeployment[], pageSize?: number) => {
    fake = await startFakeVercel({ token: TOKEN, teamId: TEAM, deployments, pageSize });
    return { VERCEL_TOKEN: TOKEN, VERCEL_API_URL: fake.url };
  };

  it("promotes the previous READY production deployment, skipping previews and failed builds", async () => {
    const env = await start([
      dpl("dpl_new", 5000),
      dpl("dpl_preview", 4500, { target: null }),
      dpl("dpl_broken", 4000, { readyState: "ERROR" }),
      dpl("dpl_prev", 3000),
      dpl("dpl_old", 1000),
      dpl("dpl_other_project", 4200, { projectId: "prj_other" }),
    ]);
    const r = await rollback(["--stack", "dev", "--project-id", PROJECT], env);
    expect(r.code, r.stderr).toBe(0);
    expect(fake!.promoted).toEqual([{ projectId: PROJECT, deploymentId: "dpl_prev" }]);
    expect(r.stdout).toContain(
      "Promoted dpl_prev (ara-dev-web-dpl_prev.vercel.app) to production in place of dpl_new",
    );
    const list = fake!.requests.find((q) => q.path === "/v6/deployments")!;
    expect(list.query).toMatchObject({
      projectId: PROJECT,
      target: "production",
      state: "READY",
      teamId: TEAM,
    });
    for (const q of fake!.requests) expect(q.auth).toBe(`Bearer ${TOKEN}`);
  });

  it("follows pagination to find the deployment named with --to", async () => {
    const many = Array.from({ length: 7 }, (_, i) => dpl(`dpl_${i}`, 1000 + i));
    const env = await start(many, 3);
    const r = await rollback(["--stack", "dev", "--project-id", PROJECT, "--to", "dpl_0"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(fake!.promoted).toEqual([{ projectId: PROJECT, deploymentId: "dpl_0" }]);
    expect(fake!.requests.filter((q) => q.path === "/v6/deployments").length).toBe(3);
  });

  it("refuses a --to that is not a READY production deployment of the project", async () => {
    const env = await start([dpl("dpl_new", 2), dpl("dpl_preview", 1, { target: null })]);
    const r = await rollback(
      ["--stack", "dev", "--project-id", PROJECT, "--to", "dpl_preview"],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("rollback failed: dpl_preview is not a READY production deployment");
    expect(fake!.promoted).toEqual([]);
  });

  it("says there is nothing to roll back to when only one production deployment exists", async () => {
    const env = await start([dpl("dpl_only", 1)]);
    const r = await rollback(["--stack", "dev", "--project-id", PROJECT], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /only one READY production deployment \(dpl_only\).*Fix forward instead/,
    );
  });

  it("reports a refused token with the fix, and never prints the token", async () => {
    const env = await start([dpl("a", 2), dpl("b", 1)]);
    const r = await rollback(["--stack", "dev", "--project-id", PROJECT], {
      ...env,
      VERCEL_TOKEN: "wrong-token-value-abcdef",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Vercel answered 403 to GET /v6/deployments: Not authorized.");
    expect(r.stderr).toContain("Check that VERCEL_TOKEN is valid");
    expect(r.stdout + r.stderr).not.toContain("wrong-token-value-abcdef");
  });

  it("reads the project id with `pulumi stack output` when --project-id is not given", async () => {
    const env = await start([dpl("dpl_b", 2), dpl("dpl_a", 1)]);
    const bin = mkdtempSync(path.join(tmpdir(), "ara-fake-pulumi-"));
    // Stands in for the Pulumi CLI reading the stack's outputs from the state backend.
    writeFileSync(
      path.join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output appProjectId --stack dev" ] && echo ${PROJECT} && exit 0\necho "unexpected: $*" >&2; exit 1\n`,
    );
    chmodSync(path.join(bin, "pulumi"), 0o755);
    const r = await rollback(["--stack", "dev"], { ...env, PATH: `${bin}:${process.env.PATH}` });
    expect(r.code, r.stderr).toBe(0);
    expect(fake!.promoted).toEqual([{ projectId: PROJECT, deploymentId: "dpl_a" }]);
  });

  it("exits 2 with the fix when the token or the stack is missing", async () => {
    const noToken = await rollback(["--stack", "dev", "--project-id", PROJECT], {});
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("No Vercel token: set VERCEL_TOKEN");
    const noStack = await rollback([], { VERCEL_TOKEN: TOKEN });
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toContain("--stack is required");
  });
});
