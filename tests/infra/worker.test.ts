import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import contract from "../../app/worker/contract.json";
import { assertBindingsMatch, plainText } from "../../components/worker/bindings";
import { readBundle } from "../../components/worker/bundle";
import { ROOT, type CapturedResource, type ProgramRun } from "../../offline/engine";
import { planStack } from "../harness";
import { component, DOMAINS, ofType, one, planAll, STACKS, type StackName } from "./tier";
import { T } from "../../policies/lib/types";

const SCRIPT = T.workersScript;
const ROUTE = T.workersRoute;
const SUBDOMAIN = T.workersSubdomain;
const CONSUMER = T.queueConsumer;
const RANDOM = T.randomBytes;

const sha256 = (file: string) =>
  createHash("sha256")
    .update(readFileSync(path.join(ROOT, file)))
    .digest("hex");

type Binding = { name: string; type: string; text?: string; bucketName?: string };
const bindingsOf = (r: CapturedResource) => r.inputs.bindings as Binding[];

/** Every binding the contract lists, with the type it must have. */
function contractBindings(c: { r2Buckets: string[]; secrets: string[]; plainText: string[] }) {
  return [
    ...c.r2Buckets.map((name) => ({ name, type: "r2_bucket" })),
    ...c.secrets.map((name) => ({ name, type: "secret_text" })),
    ...c.plainText.map((name) => ({ name, type: "plain_text" })),
  ];
}

/** The secret_text bindings are secret in state: their `text` input paths are recorded secret. */
function expectSecretTexts(script: CapturedResource) {
  const bindings = bindingsOf(script);
  const secretPaths = bindings.flatMap((b, i) =>
    b.type === "secret_text" ? [`bindings[${i}].text`] : [],
  );
  expect(secretPaths.length).toBeGreaterThan(0);
  for (const p of secretPaths) expect(script.secretInputs).toContain(p);
  for (const b of bindings.filter((x) => x.type === "secret_text")) expect(b.text).toBe("[secret]");
  // Plain vars are not needlessly secret (they would vanish from the preview diff).
  bindings.forEach((b, i) => {
    if (b.type === "plain_text") expect(script.secretInputs).not.toContain(`bindings[${i}].text`);
  });
}

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

describe.each(STACKS)("signer worker in %s", (stack) => {
  const run = () => runs[stack];
  const signer = () => one(run(), SCRIPT, "worker-script");

  it("deploys the built ES module, hashed from the bytes on disk", () => {
    const s = signer();
    expect(s.inputs.scriptName).toBe(`ara-${stack}-signer`);
    expect(s.inputs.mainModule).toBe(contract.mainModule);
    expect(s.inputs.contentFile).toBe("app/worker/dist/index.js");
    expect(s.inputs.contentSha256).toBe(sha256("app/worker/dist/index.js"));
    expect(s.inputs.content).toBeUndefined();
  });

  it("pins the compatibility date the worker's tests run under", () => {
    expect(signer().inputs.compatibilityDate).toBe("2026-04-01");
    expect(signer().inputs.compatibilityDate).toBe(contract.compatibilityDate);
  });

  it("binds every required name in the contract, with the right type, and nothing else", () => {
    const got = bindingsOf(signer()).map(({ name, type }) => ({ name, type }));
    // Optional bindings (SENTRY_DSN) may be left out; one that is bound must have its type.
    const optional: string[] = contract.optional;
    const all = contractBindings(contract);
    const required = all.filter((b) => !optional.includes(b.name));
    expect(got).toEqual(expect.arrayContaining(required));
    for (const b of got) expect(all).toContainEqual(b);
  });

  it("binds SENTRY_DSN, secret, exactly where the stack has error tracking", () => {
    const tracked = run().resources.some((r) => r.type === T.errorTrackingComponent);
    const dsn = bindingsOf(signer()).find((b) => b.name === "SENTRY_DSN");
    if (!tracked) {
      expect(dsn).toBeUndefined();
      return;
    }
    expect(dsn?.type).toBe("secret_text");
    expect(dsn?.text).toBe("[secret]");
  });

  it("binds the reports bucket and the configured limits", () => {
    const byName = new Map(bindingsOf(signer()).map((b) => [b.name, b]));
    expect(byName.get("REPORTS")?.bucketName).toBe(`ara-${stack}-reports`);
    expect(byName.get("URL_TTL_SECONDS")?.text).toBe("900");
    expect(byName.get("MAX_UPLOAD_BYTES")?.text).toBe("26214400");
    expect(byName.get("ALLOWED_CONTENT_TYPES")?.text).toBe("application/pdf");
  });

  it("keeps the signing key and the token secret in state", () => {
    expectSecretTexts(signer());
    expect(run().secretOutputs).toContain("signerToken");
    expect(run().outputs.signerToken).toBe("[secret]");
    expect(one(run(), RANDOM, "worker-signing-key").inputs.length).toBe(32);
    expect(one(run(), RANDOM, "worker-signer-token").inputs.length).toBe(32);
  });

  it("keeps invocation logs with the configured sampling", () => {
    expect(signer().inputs.observability).toEqual({
      enabled: true,
      logs: { enabled: true, invocationLogs: true, headSamplingRate: 1 },
    });
  });

  it("answers only on api.<domain>/r2/*, never on workers.dev", () => {
    const route = one(run(), ROUTE);
    expect(route.inputs.pattern).toBe(`api.${DOMAINS[stack]}/r2/*`);
    expect(route.inputs.script).toBe(`ara-${stack}-signer`);
    expect(route.inputs.zoneId).toMatch(/^[0-9a-f]{32}$/);
    const sub = one(run(), SUBDOMAIN, "worker-workers-dev");
    expect(sub.inputs).toMatchObject({ scriptName: `ara-${stack}-signer`, enabled: false });
    expect(run().outputs.signerUrl).toBe(`https://api.${DOMAINS[stack]}`);
    expect(run().outputs.signerScriptName).toBe(`ara-${stack}-signer`);
  });

  it("deploys the replicator and its queue consumer only where storage is replicated", () => {
    const scripts = ofType(run(), SCRIPT).map((s) => s.name);
    const consumers = ofType(run(), CONSUMER);
    if (stack === "prod") {
      expect(scripts.sort()).toEqual(["worker-replicator", "worker-script"]);
      expect(consumers.map((c) => c.name).sort()).toEqual([
        "worker-replicator-consumer",
        "worker-replicator-dead-letters",
      ]);
    } else {
      expect(scripts).toEqual(["worker-script"]);
      expect(consumers).toEqual([]);
    }
  });

  it("owns every child, named after the component, none protected", () => {
    const { self, children } = component(run(), T.workerComponent);
    expect(self.name).toBe("worker");
    for (const c of children) {
      expect(c.name.startsWith("worker-"), c.name).toBe(true);
      expect([c.name, c.protect]).toEqual([c.name, false]);
    }
    for (const type of [SCRIPT, ROUTE, SUBDOMAIN, CONSUMER]) {
      for (const r of ofType(run(), type)) expect(r.parent).toBe(self.urn);
    }
    const secrets = children.filter((c) => c.type === RANDOM).map((c) => c.name);
    expect(secrets.sort()).toEqual(["worker-signer-token", "worker-signing-key"]);
  });
});

describe("the prod replicator", () => {
  const run = () => runs.prod;
  const replicator = () => one(run(), SCRIPT, "worker-replicator");

  it("deploys dist/replicator.js, hashed", () => {
    const r = replicator();
    expect(r.inputs.scriptName).toBe("ara-prod-replicator");
    expect(r.inputs.mainModule).toBe(contract.replicator.mainModule);
    expect(r.inputs.contentFile).toBe("app/worker/dist/replicator.js");
    expect(r.inputs.contentSha256).toBe(sha256("app/worker/dist/replicator.js"));
    expect(r.inputs.compatibilityDate).toBe(contract.compatibilityDate);
  });

  it("binds the contract's names, wired to the storage replica", () => {
    const got = bindingsOf(replicator());
    const required = contractBindings(contract.replicator).filter(
      (b) => !contract.replicator.optional.includes(b.name),
    );
    expect(got.map(({ name, type }) => ({ name, type }))).toEqual(expect.arrayContaining(required));
    expect(got).toHaveLength(required.length);
    const byName = new Map(got.map((b) => [b.name, b]));
    const replica = one(run(), T.s3Bucket, "storage-replica");
    expect(byName.get("REPORTS")?.bucketName).toBe("ara-prod-reports");
    expect(byName.get("REPLICA_BUCKET")?.text).toBe(replica.outputs.bucket);
    expect(byName.get("REPLICA_REGION")?.text).toBe("us-west-2");
    expectSecretTexts(replicator());
  });

  it("consumes the storage queue, parking failures in the dead-letter queue", () => {
    const consumer = one(run(), CONSUMER, "worker-replicator-consumer");
    const queue = one(run(), T.queue, "storage-events");
    expect(consumer.inputs).toMatchObject({
      type: "worker",
      scriptName: "ara-prod-replicator",
      queueId: queue.outputs.queueId,
      deadLetterQueue: "ara-prod-reports-events-dlq",
    });
    expect(consumer.inputs.settings).toMatchObject({ batchSize: 10, maxRetries: 10 });
    expect(one(run(), SUBDOMAIN, "worker-replicator-workers-dev").inputs.enabled).toBe(false);
  });

  it("consumes the dead-letter queue too, in large slow batches, to alert on-call", () => {
    const consumer = one(run(), CONSUMER, "worker-replicator-dead-letters");
    const dlq = one(run(), T.queue, "storage-events-dlq");
    expect(consumer.inputs).toMatchObject({
      type: "worker",
      scriptName: "ara-prod-replicator",
      queueId: dlq.outputs.queueId,
    });
    // A dead letter has no further queue to fall into.
    expect(consumer.inputs.deadLetterQueue).toBeUndefined();
    expect(consumer.inputs.settings).toMatchObject({ batchSize: 50, maxWaitTimeMs: 60_000 });
    const byName = new Map(bindingsOf(replicator()).map((b) => [b.name, b]));
    expect(byName.get("DEAD_LETTER_QUEUE")?.text).toBe(dlq.outputs.queueName);
    expect(byName.get("ALERT_TOPIC_ARN")?.text).toBe(one(run(), T.snsTopic).outputs.arn);
  });
});

describe("worker settings come from config", () => {
  it("renders the configured limits and sampling", async () => {
    const run = await planStack("dev", {
      config: {
        "ara:worker": JSON.stringify({
          urlTtlSeconds: 300,
          allowedContentTypes: ["application/pdf", "image/png"],
          logSamplingRate: 0.25,
        }),
      },
    });
    const script = one(run, SCRIPT, "worker-script");
    const byName = new Map(bindingsOf(script).map((b) => [b.name, b.text]));
    expect(byName.get("URL_TTL_SECONDS")).toBe("300");
    expect(byName.get("ALLOWED_CONTENT_TYPES")).toBe("application/pdf,image/png");
    expect((script.inputs.observability as any).logs.headSamplingRate).toBe(0.25);
  });
});

describe("bundle and contract guards", () => {
  it("refuses a missing bundle with the build command", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "ara-no-bundle-"));
    expect(() => readBundle("app/worker/dist/index.js", empty)).toThrow(/npm run build/);
  });

  it("refuses bindings that drift from the contract", () => {
    const lists = { r2Buckets: ["REPORTS"], secrets: ["SIGNING_KEY"], plainText: ["TTL"] };
    const ok = [
      { type: "r2_bucket" as const, name: "REPORTS", bucketName: "b" },
      { type: "secret_text" as const, name: "SIGNING_KEY", text: "k" },
      plainText("TTL", 1),
    ];
    expect(() => assertBindingsMatch("t", ok, lists)).not.toThrow();
    expect(() => assertBindingsMatch("t", ok.slice(0, 2), lists)).toThrow(
      /TTL \(plain_text\) is missing/,
    );
    expect(() =>
      assertBindingsMatch("t", [...ok.slice(0, 2), plainText("SIGNING_KEY", "x")], lists),
    ).toThrow(/used twice|SIGNING_KEY is plain_text/);
    expect(() => assertBindingsMatch("t", [...ok, plainText("EXTRA", "x")], lists)).toThrow(
      /EXTRA is not in the contract/,
    );
    expect(() =>
      assertBindingsMatch("t", ok.slice(0, 2), { ...lists, optional: ["TTL"] }),
    ).not.toThrow();
  });
});
