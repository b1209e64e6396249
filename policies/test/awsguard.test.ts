import { createRequire } from "node:module";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Policies } from "@pulumi/policy";
import { ROOT, runProgram } from "../../offline/engine";
import { readStackFile } from "../../offline/stack-file";
import { analyzeResources, inProcessAnalyzer, type Violation } from "../evaluate";

/**
 * Pulumi's AWS guard pack (@pulumi/awsguard 0.3.1, built on @pulumi/aws 4) over the real prod
 * graph, through the same in-process analyzer as our pack. Its findings and why each is or is
 * not fixed are in docs/policies.md ("AWS Guard"); this test keeps that list true.
 */

const load = createRequire(__filename);
const MODULES = [
  "apiGateway",
  "compute",
  "database",
  "elasticsearch",
  "network",
  "security",
  "storage",
];

/** AwsGuard's policies without constructing AwsGuard (its constructor starts a gRPC server). */
function awsguardPolicies(): Policies {
  const policies: Policies = [];
  for (const m of MODULES) {
    for (const p of Object.values(load(`@pulumi/awsguard/${m}`) as Record<string, any>)) {
      if (p && typeof p.name === "string" && (p.validateResource || p.validateStack))
        policies.push(p);
    }
  }
  return policies;
}

describe("@pulumi/awsguard over the prod graph", () => {
  let findings: Violation[];
  let policies: Policies;
  beforeAll(async () => {
    const file = readStackFile(path.join(ROOT, "Pulumi.prod.yaml"), "ara");
    const run = await runProgram({
      stack: "prod",
      config: file.config,
      secretKeys: file.secretKeys,
    });
    policies = awsguardPolicies();
    const aws = run.resources.filter((r) => r.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(5);
    // AwsGuard's default level is advisory: report everything, block nothing.
    findings = await analyzeResources(
      inProcessAnalyzer(
        policies.map((p) => ({ ...p, enforcementLevel: "advisory" })),
        "0.3.1",
      ),
      run.resources,
      { remediate: false },
    );
  });

  it("loads every AwsGuard policy", () => {
    expect(policies).toHaveLength(26);
    expect(policies.map((p) => p.name)).toContain("s3-bucket-logging-enabled");
  });

  it("flags only S3 access logging on the two buckets, a rule written for @pulumi/aws 4's inline bucket properties", () => {
    expect(findings.map((f) => `${f.policy} ${f.urn.split("::").pop()}`).sort()).toEqual([
      "s3-bucket-logging-enabled database-backup",
      "s3-bucket-logging-enabled storage-replica",
    ]);
    expect(findings[0]!.message).toContain("Bucket logging must be defined.");
  });
});
