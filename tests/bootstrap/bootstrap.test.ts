import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { ROOT, runProgram, type ProgramRun } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";

const exec = promisify(execFile);
const DIR = path.join(ROOT, "bootstrap");
const PROJECT = "ara-bootstrap";
const REPO = "acme/ara-infra";
const ACCOUNT = "111122223333";

async function planBootstrap(overrides: Record<string, string> = {}, offline = true) {
  const file = readStackFile(path.join(DIR, "Pulumi.account.yaml"), PROJECT);
  return runProgram({
    stack: "account",
    project: PROJECT,
    entry: path.join(DIR, "index.ts"),
    config: { ...file.config, ...overrides },
    secretKeys: file.secretKeys,
    offline,
  });
}

const of = (run: ProgramRun, type: string) => run.resources.filter((r) => r.type === type);
const one = (run: ProgramRun, type: string, name?: string) => {
  const found = of(run, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0]!;
};
const doc = (v: unknown) => JSON.parse(String(v));
const actions = (policy: any) => policy.Statement.flatMap((s: any) => s.Action as string[]);

describe("bootstrap under mocks", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await planBootstrap({
      "ara-bootstrap:githubRepository": REPO,
      "ara-bootstrap:accountId": ACCOUNT,
    });
  });

  it("protects every resource it creates", () => {
    const custom = run.resources.filter((r) => r.custom);
    expect(custom.length).toBe(28);
    for (const r of custom) expect(r.protect, `${r.type} ${r.name}`).toBe(true);
  });

  it("trusts, per role, exactly this repository in one GitHub environment, for STS", () => {
    const oidc = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(oidc.inputs).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    const roles = of(run, "aws:iam/role:Role");
    expect(roles.map((r) => r.name).sort()).toEqual(
      ["dev", "staging", "prod"]
        .flatMap((e) => [`ci-${e}-deploy`, `ci-${e}-preview`, `ci-${e}-backup`])
        .sort(),
    );
    for (const role of roles) {
      const [, env, kind] = /^ci-(\w+)-(deploy|preview|backup)$/.exec(role.name)!;
      const trust = doc(role.inputs.assumeRolePolicy);
      expect(trust.Statement).toEqual([
        {
          Sid: "GitHubActionsEnvironment",
          Effect: "Allow",
          Principal: {
            Federated:
              "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
          },
          Action: ["sts:AssumeRoleWithWebIdentity"],
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": `repo:${REPO}:environment:${kind === "deploy" ? env : `${env}-${kind}`}`,
            },
          },
        },
      ]);
    }
  });

  it("scopes each deploy role to its own environment's resources, the state and the key", () => {
    const policy = doc(
      one(run, "aws:iam/rolePolicy:RolePolicy", "ci-staging-deploy-policy").inputs.policy,
    );
    const resources = policy.Statement.flatMap((s: any) => [s.Resource].flat() as string[]);
    const key = one(run, "aws:kms/key:Key");
    for (const r of resources) {
      expect(
        r.includes("ara-staging-") ||
          r.startsWith("arn:aws:s3:::ara-pulumi-state-000000000000") ||
          r === key.outputs.arn,
        r,
      ).toBe(true);
      expect(r).not.toBe("*");
    }
    for (const s of policy.Statement) for (const a of s.Action) expect(a, s.Sid).not.toMatch(/\*/);
    expect(policy.Statement.every((s: any) => s.Effect === "Allow")).toBe(true);
    // What the program's AWS resources need (components/monitoring, components/storage).
    expect(actions(policy)).toEqual(
      expect.arrayContaining([
        "sns:CreateTopic",
        "budgets:ModifyBudget",
        "s3:CreateBucket",
        "s3:PutBucketVersioning",
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:PutUserPolicy",
        "kms:Decrypt",
        "kms:GenerateDataKey",
      ]),
    );
    // Nothing that could widen its own rights or touch another account-wide resource.
    for (const a of actions(policy))
      expect(a).not.toMatch(
        /^iam:(CreateRole|PutRolePolicy|AttachRolePolicy|CreatePolicy|PassRole)|^kms:(Create|PutKeyPolicy|ScheduleKeyDeletion)|^sts:/,
      );
  });

  it("lets a backup role put and read dumps, read the replica and alert: nothing else", () => {
    const policy = doc(
      one(run, "aws:iam/rolePolicy:RolePolicy", "ci-prod-backup-policy").inputs.policy,
    );
    const grants = policy.Statement.flatMap((s: any) =>
      (s.Action as string[]).flatMap((a) => [s.Resource].flat().map((r: string) => `${a} ${r}`)),
    );
    expect(grants.sort()).toEqual(
      [
        "s3:ListBucket arn:aws:s3:::ara-prod-database-backup-*",
        "s3:PutObject arn:aws:s3:::ara-prod-database-backup-*/*",
        "s3:GetObject arn:aws:s3:::ara-prod-database-backup-*/*",
        "s3:ListBucket arn:aws:s3:::ara-prod-reports-replica-*",
        "s3:ListBucketVersions arn:aws:s3:::ara-prod-reports-replica-*",
        "s3:GetObject arn:aws:s3:::ara-prod-reports-replica-*/*",
        "s3:GetObjectVersion arn:aws:s3:::ara-prod-reports-replica-*/*",
        `sns:Publish arn:aws:sns:*:${ACCOUNT}:ara-prod-alerts`,
        `sns:Publish arn:aws:sns:*:${ACCOUNT}:ara-prod-alerts:*`,
      ].sort(),
    );
  });

  it("lets a preview role read, and write nothing but the backend's lock files", () => {
    const policy = doc(
      one(run, "aws:iam/rolePolicy:RolePolicy", "ci-prod-preview-policy").inputs.policy,
    );
    const writes = policy.Statement.filter((s: any) =>
      s.Action.some((a: string) =>
        /:(Create|Delete|Put|Modify|Set|Subscribe|Unsubscribe|Tag|Untag|Encrypt)/.test(a),
      ),
    );
    expect(writes).toEqual([
      {
        Sid: "StateLocks",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:DeleteObject"],
        Resource: "arn:aws:s3:::ara-pulumi-state-000000000000/.pulumi/locks/*",
      },
    ]);
  });

  it("encrypts the state bucket with the key, versions it, blocks public access and refuses plain HTTP", () => {
    const key = one(run, "aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(one(run, "aws:kms/alias:Alias").inputs.name).toBe("alias/ara-pulumi-secrets");
    const sse = one(
      run,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    expect(sse.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: key.outputs.arn,
        },
        bucketKeyEnabled: true,
      },
    ]);
    expect(
      one(run, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
    expect(one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject(
      {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    );
    const policy = doc(one(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    expect(policy.Statement.map((s: any) => [s.Effect, s.Condition])).toEqual([
      ["Deny", { Bool: { "aws:SecureTransport": "false" } }],
      ["Deny", { NumericLessThan: { "s3:TlsVersion": "1.2" } }],
    ]);
  });

  it("expires only noncurrent versions of the state, never a current object", () => {
    const rules = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
      .inputs.rules as any[];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      status: "Enabled",
      noncurrentVersionExpiration: { noncurrentDays: 90 },
    });
    expect(rules[0].expiration).toBeUndefined();
  });

  it("holds no secret and creates no static AWS key", () => {
    expect(run.resources.flatMap((r) => r.secretInputs)).toEqual([]);
    expect(of(run, "aws:iam/accessKey:AccessKey")).toEqual([]);
    expect(of(run, "aws:iam/user:User")).toEqual([]);
  });

  it("refuses the committed placeholders in a real run, naming the keys to set", async () => {
    await expect(planBootstrap({}, false)).rejects.toThrow(
      /still holds placeholders: set ara-bootstrap:accountId .* and ara-bootstrap:githubRepository/,
    );
  });
});

describe("npm run plan -- --project bootstrap", () => {
  it("prints the bootstrap's graph as one JSON document", async () => {
    const { stdout } = await exec(
      process.execPath,
      [
        path.join(ROOT, "scripts", "plan", "bin.js"),
        "--project",
        "bootstrap",
        "--stack",
        "account",
        "--json",
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const plan = JSON.parse(stdout);
    expect(plan).toMatchObject({
      project: "ara-bootstrap",
      stack: "account",
      cost: null,
      policies: null,
    });
    expect(plan.resources.filter((r: any) => r.type === "aws:iam/role:Role")).toHaveLength(9);
  });

  it("declares every config key its stack file sets", () => {
    const declared = Object.keys(parse(readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8")).config);
    const set = Object.keys(
      parse(readFileSync(path.join(DIR, "Pulumi.account.yaml"), "utf8")).config,
    );
    for (const key of set.filter((k) => k.startsWith(`${PROJECT}:`)))
      expect(declared).toContain(key);
  });
});
