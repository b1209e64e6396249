// Database provider against the spec-driven fake: lifecycle, readiness polling, diff semantics,
// resume after partial failure, idempotent delete.
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../providers/planetscale/common";
import { changed, createDatabase, databaseInputs, rejection, useFakePlanetScale } from "./helpers";

describe("Database provider", () => {
  const env = useFakePlanetScale();

  it("creates a Postgres database, waits until ready, applies deletion protection", async () => {
    const { id, outs } = await createDatabase(env, { deletionProtected: true, majorVersion: "17" });

    expect(id).toBe("acme/ara-dev");
    expect(outs).toMatchObject({
      organization: "acme",
      name: "ara-dev",
      region: "us-east",
      clusterSize: "PS_10_AWS_ARM",
      replicas: 0,
      majorVersion: "17",
      kind: "postgresql",
      state: "ready",
      ready: true,
      defaultBranch: "main",
      deletionProtected: true,
      htmlUrl: "https://app.planetscale.com/acme/ara-dev",
    });
    expect(outs["databaseId"]).toMatch(/^[0-9a-f]{12}$/);
    const [create] = env.fake.calls("create_database");
    expect(create!.body).toEqual({
      name: "ara-dev",
      region: "us-east",
      cluster_size: "PS_10_AWS_ARM",
      replicas: 0,
      kind: "postgresql",
      major_version: "17",
    });
    expect(create!.authorization).toBe(`${env.fake.tokenId}:${env.fake.token}`);
    // Polled until ready (the fake reports pending first), then set deletion protection.
    expect(env.fake.calls("get_database").length).toBeGreaterThanOrEqual(2);
    expect(env.fake.calls("update_database_settings").map((r) => r.body)).toEqual([
      { deletion_protected: true },
    ]);
    expect(env.fake.database("ara-dev")!.api.deletion_protected).toBe(true);
  });

  it("reads live state and reports drift; a deleted database reads as gone", async () => {
    const { id, outs } = await createDatabase(env);
    env.fake.database("ara-dev")!.api.deletion_protected = true;

    const read = await env.providers.database.read!(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toMatchObject({ deletionProtected: true, clusterSize: "PS_10_AWS_ARM" });
    const drift = await env.providers.database.diff!(id, read.props, databaseInputs(env));
    expect(drift).toMatchObject({ changes: true, replaces: [] });

    env.fake.databases.delete("ara-dev");
    expect((await env.providers.database.read!(id, outs)).id).toBe("");
  });

  it("diff: a resize is an update, a rename or region change is a replacement", async () => {
    const { id, outs } = await createDatabase(env);
    const diff = (overrides: Record<string, unknown>) =>
      env.providers.database.diff!(id, outs, databaseInputs(env, overrides));

    expect(await diff({})).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await diff({ clusterSize: "PS_20_AWS_ARM" })).toEqual(changed([]));
    expect(await diff({ replicas: 2 })).toMatchObject({ changes: true, replaces: [] });
    expect(await diff({ deletionProtected: true })).toMatchObject({ changes: true, replaces: [] });
    // Token rotation rewrites state in place; it never recreates the database.
    expect(await diff({ serviceToken: "rotated" })).toMatchObject({ changes: true, replaces: [] });
    // A new name can be created next to the old one.
    expect(await diff({ name: "ara-dev-2" })).toEqual(changed(["name"]));
    // Same name in a new region cannot coexist: the old one must go first.
    expect(await diff({ region: "eu-west" })).toEqual(changed(["region"], true));
    expect(await diff({ organization: "other" })).toMatchObject({ replaces: ["organization"] });
    expect(await diff({ majorVersion: "18" })).toMatchObject({ replaces: ["majorVersion"] });
    // Unknown during preview: assume it changes.
    expect(await diff({ name: UNKNOWN })).toMatchObject({ replaces: ["name"] });
    // New provider code is stored through an update, so later reads and deletes run it.
    const withCode = { ...outs, __provider: "exports.handler = old" };
    expect(
      await env.providers.database.diff!(id, withCode, {
        ...databaseInputs(env),
        __provider: "exports.handler = new",
      }),
    ).toEqual(changed([]));
  });

  it("an update that only rotates the token or the code writes nothing to PlanetScale", async () => {
    const { id, inputs, outs } = await createDatabase(env);
    const writes = () =>
      env.fake.requests.filter((r) => r.method !== "GET").map((r) => r.operationId);
    const before = writes();
    const { outs: after } = await env.providers.database.update!(id, outs, {
      ...inputs,
      serviceToken: env.fake.token,
    });
    expect(writes()).toEqual(before);
    expect(after).toEqual(outs);
  });

  it("resizes in place through a branch change request and waits for it to finish", async () => {
    const { id, inputs, outs } = await createDatabase(env);
    const news = { ...inputs, clusterSize: "PS_40_AWS_ARM", replicas: 2 };

    const { outs: after } = await env.providers.database.update!(id, outs, news);

    expect(env.fake.calls("update_branch_change_request").map((r) => [r.path, r.body])).toEqual([
      [
        "/v1/organizations/acme/databases/ara-dev/branches/main/changes",
        { cluster_size: "PS_40_AWS_ARM", replicas: 2 },
      ],
    ]);
    expect(env.fake.calls("create_database")).toHaveLength(1);
    expect(env.fake.calls("delete_database")).toHaveLength(0);
    expect(after).toMatchObject({ clusterSize: "PS_40_AWS_ARM", replicas: 2, state: "ready" });
    expect(after["databaseId"]).toBe(outs["databaseId"]);
    expect(env.fake.database("ara-dev")!.branches.get("main")!.api.has_replicas).toBe(true);
  });

  it("bounds the wait for readiness and names the database and last state on timeout", async () => {
    env.fake.readyAfterPolls = Infinity;
    const started = Date.now();
    const err = await rejection(createDatabase(env));

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.name).toBe("ResourceInitError");
    expect(err.message).toMatch(
      /Timed out after 2s waiting for PlanetScale database acme\/ara-dev/,
    );
    expect(err.message).toMatch(/last state: database pending/);
    expect(err.message).toMatch(/run `pulumi up` again to resume/);
    // Polls are bounded by the timeout and the interval.
    expect(env.fake.calls("get_database").length).toBeLessThanOrEqual(2_000 / 2 + 1);
  });

  it("a create that fails after the database exists is recorded and resumed by update", async () => {
    env.fake.inject({ operationId: "update_database_settings", status: 500, times: 3 });
    const inputs = databaseInputs(env, { deletionProtected: true });
    const err = await rejection(env.providers.database.create(inputs));

    // The host turns {id, properties} into "created, failed to initialize": the next
    // `pulumi up` calls update instead of creating a second database.
    expect(err.name).toBe("ResourceInitError");
    expect(err.id).toBe("acme/ara-dev");
    expect(err.message).toMatch(/was created but is not finished/);
    expect(err.message).toMatch(/500 for update_database_settings/);
    expect(err.properties).toMatchObject({ name: "ara-dev", clusterSize: "PS_10_AWS_ARM" });
    expect(err.properties).not.toHaveProperty("serviceToken");
    expect(err.properties).not.toHaveProperty("serviceTokenId");

    const { outs } = await env.providers.database.update!(err.id, err.properties, inputs);
    expect(outs).toMatchObject({ deletionProtected: true, state: "ready" });
    expect(env.fake.calls("create_database")).toHaveLength(1);
  });

  it.each([409, 422] as const)(
    "a repeated create adopts the database it made before (name taken answered %i)",
    async (status) => {
      env.fake.nameTakenStatus = status;
      env.fake.inject({ operationId: "update_database_settings", status: 500, times: 3 });
      const inputs = databaseInputs(env, { deletionProtected: true });
      const first = await rejection(env.providers.database.create(inputs));
      expect(first.name).toBe("ResourceInitError");
      const databaseId = env.fake.database("ara-dev")!.api.id;

      // E.g. the engine was interrupted before it saved state: create runs again.
      const { id, outs } = await env.providers.database.create(inputs);

      expect(id).toBe("acme/ara-dev");
      expect(outs).toMatchObject({ databaseId, deletionProtected: true, state: "ready" });
      expect(env.fake.calls("create_database").map((r) => r.status)).toEqual([201, status]);
      expect(env.fake.databases.size).toBe(1);
    },
  );

  it("does not adopt a same-named database that is not the one requested", async () => {
    await createDatabase(env);
    const err = await rejection(createDatabase(env, { region: "eu-west" }));
    expect(err.message).toMatch(
      /database acme\/ara-dev already exists but it is in region us-east, so it was not created by this program/,
    );
  });

  it("delete is idempotent: a database that is already gone counts as deleted", async () => {
    const { id, outs } = await createDatabase(env);
    await env.providers.database.delete!(id, outs);
    expect(env.fake.databases.has("ara-dev")).toBe(false);

    await expect(env.providers.database.delete!(id, outs)).resolves.toBeUndefined();
    // A 404 from the DELETE itself (deleted between our GET and DELETE) is success too.
    await createDatabase(env);
    env.fake.inject({ operationId: "delete_database", status: 404 });
    await expect(env.providers.database.delete!(id, outs)).resolves.toBeUndefined();
  });

  it("refuses to delete a deletion-protected database and says how to proceed", async () => {
    const { id, outs } = await createDatabase(env, { deletionProtected: true });
    const err = await rejection(env.providers.database.delete!(id, outs));
    expect(err.message).toMatch(/deletion protection on.*set deletionProtected: false/);
    expect(env.fake.calls("delete_database")).toHaveLength(0);
    expect(env.fake.databases.has("ara-dev")).toBe(true);
  });

  it("check rejects invalid inputs with reasons, without echoing credentials", async () => {
    const result = await env.providers.database.check!(
      {},
      {
        serviceTokenId: "",
        serviceToken: "tok en-secret-value",
        organization: "acme",
        name: "Bad Name",
        region: "us-east",
        clusterSize: "PS-40",
        replicas: 1,
        majorVersion: "seventeen",
      },
    );
    const byProperty = Object.fromEntries(
      (result.failures ?? []).map((f) => [f.property, f.reason]),
    );
    expect(Object.keys(byProperty).sort()).toEqual([
      "clusterSize",
      "majorVersion",
      "name",
      "replicas",
      "serviceToken",
      "serviceTokenId",
    ]);
    expect(byProperty["clusterSize"]).toMatch(/qualified SKU such as PS_10_AWS_ARM/);
    expect(byProperty["replicas"]).toMatch(/may not be 1.*0 for a single node/);
    expect(byProperty["serviceTokenId"]).toMatch(/ara:planetscaleServiceTokenId/);
    expect(JSON.stringify(result.failures)).not.toContain("secret-value");
    // Bad inputs never reach the API.
    expect(env.fake.requests).toHaveLength(0);
  });

  it("check passes unknown values through and applies defaults", async () => {
    const result = await env.providers.database.check!(
      {},
      { ...databaseInputs(env), name: UNKNOWN, deletionProtected: undefined },
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ name: UNKNOWN, deletionProtected: false });
  });
});
