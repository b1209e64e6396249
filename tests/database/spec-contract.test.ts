// The provider's view of the API (routes, accesses, enums) checked against the vendored
// OpenAPI spec, and proof that the fake rejects requests the spec does not allow.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAPIBackend from "openapi-backend";
import { describe, expect, it } from "vitest";
import {
  BACKUP_TARGETS,
  FREQUENCY_UNITS,
  RETENTION_UNITS,
} from "../../providers/planetscale/backup-policy";
import { callApi, routeOf } from "../../providers/planetscale/client";
import { DRILL_ACCESSES, drillRouteOf } from "../../recovery/database/api";
import { resolveSettings } from "../../providers/planetscale/common";
import { requiredAccesses } from "../../providers/planetscale/errors";
import { INHERITED_ROLES } from "../../providers/planetscale/role";
import { loadSpec, specOperations } from "../fixtures/planetscale/fake-api";
import { createDatabase, FAST, rejection, useFakePlanetScale } from "./helpers";

const PROVIDER_DIR = join(__dirname, "../../providers/planetscale");
const DRILL_DIR = join(__dirname, "../../recovery/database");

/** operationIds a source folder sends (every call names one literally). */
function operationsIn(dir: string, pattern: RegExp): Set<string> {
  const ids = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(pattern)) ids.add(m[1]!);
  }
  return ids;
}

const providerOperations = () => operationsIn(PROVIDER_DIR, /operationId: "([a-z_]+)"/g);
// The drill calls `call(api, "<operationId>", …)`.
const drillOperations = () =>
  operationsIn(DRILL_DIR, /call(?:<[^>]*>)?\(\s*o\.api,\s*"([a-z_]+)"/g);

/** operationIds the provider and the restore drill send. */
function operationsInProviderSource(): string[] {
  return [...new Set([...providerOperations(), ...drillOperations()])].sort();
}

function bodySchema(operationId: string): any {
  return specOperations().get(operationId)!.raw.requestBody.content["application/json"].schema;
}

describe("vendored PlanetScale spec", () => {
  it("is a valid OpenAPI document with its source recorded", async () => {
    const spec = loadSpec();
    // strict: openapi-backend throws if the document does not validate.
    await new OpenAPIBackend({ definition: spec, strict: true, quick: false }).init();
    expect(spec.openapi).toBe("3.0.1");
    expect(spec["x-vendored-from"]).toMatchObject({
      upstreamUrl: expect.stringContaining("planetscale.com/docs/openapi.yaml"),
      repository: "planetscale/terraform-provider-planetscale",
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      specDate: "2026-08-18",
    });
  });

  it("holds exactly the operations the provider calls", () => {
    const vendored = [...specOperations().keys()].sort();
    expect(operationsInProviderSource()).toEqual(vendored);
    expect(loadSpec()["x-vendored-from"].operations.slice().sort()).toEqual(vendored);
  });

  it("agrees with the provider's route table", () => {
    const provider = providerOperations();
    for (const op of specOperations().values()) {
      const route = provider.has(op.operationId) ? routeOf : drillRouteOf;
      expect(route(op.operationId), op.operationId).toEqual({
        method: op.method,
        path: op.path,
      });
    }
  });

  it("lists every service-token access the provider's error messages ask for", () => {
    const provider = providerOperations();
    for (const op of specOperations().values()) {
      if (!provider.has(op.operationId)) {
        // The restore drill's error for a 403 names its own accesses.
        expect(op.accesses, op.operationId).toContain(DRILL_ACCESSES[op.operationId]);
        continue;
      }
      const asked = requiredAccesses(op.operationId);
      expect(asked.length, op.operationId).toBeGreaterThan(0);
      for (const access of asked) expect(op.accesses, op.operationId).toContain(access);
    }
  });

  it("has the enums the provider validates against", () => {
    expect([...INHERITED_ROLES].sort()).toEqual(
      [...bodySchema("create_role").properties.inherited_roles.items.enum].sort(),
    );
    const policy = bodySchema("create_backup_policy").properties;
    expect([...BACKUP_TARGETS]).toEqual(policy.target.enum);
    expect([...RETENTION_UNITS]).toEqual(policy.retention_unit.enum);
    expect([...FREQUENCY_UNITS]).toEqual(policy.frequency_unit.enum);
    expect(bodySchema("create_database").properties.kind.enum).toContain("postgresql");
    expect(bodySchema("create_database").required).toEqual(["name", "cluster_size"]);
  });
});

describe("the fake enforces the contract", () => {
  const env = useFakePlanetScale();

  /** Takes the recorded violations (so the shared afterEach sees a clean slate). */
  function takeViolations() {
    return env.fake.violations.splice(0);
  }

  async function send(body: Record<string, unknown>, query?: Record<string, string>) {
    return rejection(
      callApi(
        resolveSettings({ ...FAST, baseUrl: env.fake.baseUrl, maxAttempts: 1 }).client,
        { tokenId: env.fake.tokenId, token: env.fake.token },
        {
          operationId: "create_database",
          params: { organization: "acme" },
          body,
          query,
          resource: "database acme/bad",
        },
      ),
    );
  }

  it("rejects a body with a wrong type", async () => {
    const err = await send({ name: "bad", cluster_size: 10, kind: "postgresql" });
    expect(err.status).toBe(400);
    expect(takeViolations()).toEqual([
      expect.objectContaining({
        kind: "request",
        operationId: "create_database",
        details: expect.stringContaining("/requestBody/cluster_size"),
      }),
    ]);
    expect(env.fake.databases.size).toBe(0);
  });

  it("rejects a body missing the required cluster_size", async () => {
    await send({ name: "bad", kind: "postgresql" });
    expect(takeViolations()).toEqual([
      expect.objectContaining({ details: expect.stringContaining("cluster_size") }),
    ]);
  });

  it("rejects an enum value outside the spec", async () => {
    await send({ name: "bad", cluster_size: "PS_10_AWS_ARM", kind: "postgres" });
    expect(takeViolations()[0]!.details).toContain("/requestBody/kind");
  });

  it("rejects body fields and query parameters the spec does not declare", async () => {
    await send({ name: "bad", cluster_size: "PS_10_AWS_ARM", engine: "postgresql" });
    expect(takeViolations()[0]!.details).toBe('body field "engine" is not in the spec');
    await send({ name: "bad", cluster_size: "PS_10_AWS_ARM" }, { dry_run: "true" });
    // openapi-backend already refuses undeclared query parameters; the fake's own check backs it.
    expect(takeViolations()[0]!.details).toMatch(/dry_run/);
  });

  it("rejects an operation that is not in the spec", async () => {
    const res = await fetch(`${env.fake.baseUrl}/organizations/acme/databases/x`, {
      method: "PUT",
      headers: { Authorization: `${env.fake.tokenId}:${env.fake.token}` },
    });
    expect(res.status).toBe(400);
    expect(takeViolations()).toEqual([expect.objectContaining({ kind: "unknown-operation" })]);
  });

  it("validates its own responses against the spec's response schema", async () => {
    await createDatabase(env);
    env.fake.database("ara-dev")!.api.state = "melting";
    await fetch(`${env.fake.baseUrl}/organizations/acme/databases/ara-dev`, {
      headers: { Authorization: `${env.fake.tokenId}:${env.fake.token}` },
    });
    expect(takeViolations()).toEqual([
      expect.objectContaining({
        kind: "response",
        operationId: "get_database",
        details: expect.stringContaining("/state"),
      }),
    ]);
  });
});
