import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Policy } from "@pulumi/policy";
import { analyzeResources, evaluateStack, type Violation } from "../evaluate";
import { createPolicies, PACK_LEVEL, PACK_NAME } from "../pack";
import { resolvePolicyConfig } from "../policy-config";
import {
  configure,
  getAnalyzerInfo,
  grpcTransport,
  PACK_DIR,
  pb,
  startPack,
  type PackProcess,
} from "./harness/pack-process";
import { find, realGraph } from "./harness/real-graph";

const ENVS = ["dev", "staging", "prod"] as const;
const policies = createPolicies(() => ({ stack: "test" })) as Policy[];
const envConfig = (env: string) =>
  JSON.parse(readFileSync(path.join(PACK_DIR, "config", `${env}.json`), "utf8"));
const key = (v: Violation) => `${v.level} ${v.policy} ${v.urn}\n${v.message}`;

describe.each(ENVS)("the built pack, started by run-policy-pack for stack %s", (stack) => {
  let pack: PackProcess;
  beforeAll(async () => {
    pack = await startPack(stack, realGraph(stack).config);
  });
  afterAll(async () => pack?.stop());

  it("describes itself: name, version, config support, every policy with its level and schema", async () => {
    const info = await getAnalyzerInfo(pack.client);
    expect(info.getName()).toBe(PACK_NAME);
    expect(info.getVersion()).toBe(
      JSON.parse(readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version,
    );
    expect(info.getSupportsconfig()).toBe(true);
    const got = info.getPoliciesList();
    expect(got.map((p: any) => p.getName())).toEqual(policies.map((p) => p.name));
    const budget = got.find((p: any) => p.getName() === "stack-monthly-budget");
    expect(budget.getEnforcementlevel()).toBe(pb.EnforcementLevel.MANDATORY);
    expect(budget.getConfigschema().getProperties().toJavaScript().topLines).toEqual({
      type: "integer",
      minimum: 1,
      maximum: 20,
      default: 5,
    });
    const secrets = got.find((p: any) => p.getName() === "secrets-marked-secret");
    expect(secrets.getEnforcementlevel()).toBe(pb.EnforcementLevel.REMEDIATE);
  });

  it.each(ENVS)(
    "configured with config/%s.json, it reports exactly what the in-process analyzer reports",
    async (env) => {
      const graph = realGraph(stack);
      const resolved = resolvePolicyConfig(policies, PACK_LEVEL, envConfig(env), `${env}.json`);
      await configure(pack.client, resolved);
      const remediate = [...resolved.values()].some((r) => r.enforcementLevel === "remediate");
      const overGrpc = await analyzeResources(grpcTransport(pack.client), graph.resources, {
        remediate,
      });
      const inProcess = await evaluateStack({
        stack,
        config: graph.config,
        resources: graph.resources,
        policyConfig: envConfig(env),
      });
      expect(overGrpc.map(key).sort()).toEqual(
        inProcess.policies.violations
          .filter((v) => v.source === "analyzer")
          .map(key)
          .sort(),
      );
      if (env === stack) expect(overGrpc.filter((v) => v.level === "mandatory")).toEqual([]);
    },
  );

  it("fails a broken graph with the expected policies", async () => {
    const graph = realGraph(stack);
    find(graph, "cache-redis").props.tls = false;
    find(graph, "edge-min-tls-version").props.value = "1.0";
    find(graph, "worker-script").secretInputs = [];
    await configure(
      pack.client,
      resolvePolicyConfig(policies, PACK_LEVEL, {
        ...envConfig(stack),
        "stack-monthly-budget": { monthlyUsd: 1 },
      }),
    );
    const v = await analyzeResources(grpcTransport(pack.client), graph.resources, {
      remediate: true,
    });
    const failed = v.filter((x) => x.level === "mandatory").map((x) => x.policy);
    // Upstash's API refuses tls: false on a new database, so the preflight names it too.
    expect(new Set(failed)).toEqual(
      new Set([
        "upstash-tls-enabled",
        "zone-min-tls-version",
        "stack-monthly-budget",
        "provider-preflight",
      ]),
    );
    expect(v.filter((x) => x.level === "remediate").map((x) => x.policy)).toEqual([
      "secrets-marked-secret",
    ]);
  });
});
