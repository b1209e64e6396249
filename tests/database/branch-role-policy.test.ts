// Branch, Role and BackupPolicy providers against the spec-driven fake.
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../providers/planetscale/common";
import {
  changed,
  checked,
  createDatabase,
  NIGHTLY_POLICY,
  rejection,
  useFakePlanetScale,
  type Env,
} from "./helpers";

/** Inputs in acme/ara-dev: the token, `fields`, then the test's overrides. */
function inAraDev(fields: Record<string, unknown>) {
  return (env: Env, overrides: Record<string, unknown> = {}) => ({
    ...env.creds,
    organization: "acme",
    database: "ara-dev",
    ...fields,
    ...overrides,
  });
}

const branchInputs = inAraDev({ name: "dev" });
const roleInputs = inAraDev({
  branch: "main",
  name: "app",
  inheritedRoles: ["pg_write_all_data", "pg_read_all_data"],
});
const policyInputs = inAraDev({ ...NIGHTLY_POLICY, scheduleTime: "03:30" });

describe("Branch provider", () => {
  const env = useFakePlanetScale();

  it("creates a development branch from main and waits until it is ready", async () => {
    await createDatabase(env);
    const inputs = await checked(
      env.providers.branch,
      branchInputs(env, { clusterSize: "PS_5_AWS_X86" }),
    );
    const { id, outs } = await env.providers.branch.create(inputs);

    expect(id).toBe("acme/ara-dev/dev");
    expect(outs).toMatchObject({
      name: "dev",
      parentBranch: "main",
      production: false,
      clusterSize: "PS_5_AWS_X86",
      state: "ready",
      ready: true,
      region: "us-east",
      lifecycle: "owned",
      deletionProtected: false,
    });
    expect(env.fake.calls("create_branch").map((r) => r.body)).toEqual([
      { name: "dev", cluster_size: "PS_5_AWS_X86" },
    ]);

    await env.providers.branch.delete!(id, outs);
    expect(env.fake.database("ara-dev")!.branches.has("dev")).toBe(false);
    // Idempotent.
    await env.providers.branch.delete!(id, outs);
  });

  it("adopts the database's default branch instead of creating it, and never deletes it", async () => {
    await createDatabase(env);
    const inputs = await checked(
      env.providers.branch,
      branchInputs(env, { name: "main", deletionProtected: true }),
    );
    const { id, outs } = await env.providers.branch.create(inputs);

    expect(env.fake.calls("create_branch")).toHaveLength(0);
    expect(outs).toMatchObject({ production: true, lifecycle: "database-default" });
    expect(env.fake.calls("update_branch").map((r) => r.body)).toEqual([
      { deletion_protected: true },
    ]);

    await env.providers.branch.delete!(id, outs);
    expect(env.fake.calls("delete_branch")).toHaveLength(0);
    expect(env.fake.database("ara-dev")!.branches.has("main")).toBe(true);
  });

  it("resumes a branch it created before and refuses a foreign one", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.branch, branchInputs(env));
    await env.providers.branch.create(inputs);
    const again = await env.providers.branch.create(inputs);
    expect(again.outs).toMatchObject({ lifecycle: "owned", name: "dev" });
    expect(env.fake.calls("create_branch")).toHaveLength(1);

    const clash = await checked(env.providers.branch, branchInputs(env, { parentBranch: "dev" }));
    const err = await rejection(env.providers.branch.create(clash));
    expect(err.message).toMatch(/branch acme\/ara-dev\/dev already exists but its parent is main/);
  });

  it("diff: resize is an update, rename or new parent is a replacement", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.branch, branchInputs(env));
    const { id, outs } = await env.providers.branch.create(inputs);
    const diff = (o: Record<string, unknown>) =>
      env.providers.branch.diff!(id, outs, branchInputs(env, o));

    expect(await diff({})).toMatchObject({ changes: false });
    expect(await diff({ clusterSize: "PS_20_AWS_ARM" })).toEqual(changed([]));
    expect(await diff({ name: "dev2" })).toEqual(changed(["name"]));
    expect(await diff({ parentBranch: "other" })).toEqual(changed(["parentBranch"], true));
    expect(await diff({ database: UNKNOWN })).toMatchObject({ replaces: ["database"] });
  });

  it("resizes a branch in place and waits for the new size", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.branch, branchInputs(env));
    const { id, outs } = await env.providers.branch.create(inputs);
    const { outs: after } = await env.providers.branch.update!(id, outs, {
      ...inputs,
      clusterSize: "PS_20_AWS_ARM",
    });
    expect(after).toMatchObject({ clusterSize: "PS_20_AWS_ARM", state: "ready" });
    expect(env.fake.calls("update_branch_change_request").map((r) => r.body)).toEqual([
      { cluster_size: "PS_20_AWS_ARM" },
    ]);
  });

  it("times out a resize that never finishes, naming the branch and its state", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.branch, branchInputs(env));
    const { id, outs } = await env.providers.branch.create(inputs);
    env.fake.resizeAfterPolls = Infinity;
    const err = await rejection(
      env.providers.branch.update!(id, outs, { ...inputs, clusterSize: "PS_20_AWS_ARM" }),
    );
    expect(err.message).toMatch(
      /waiting for PlanetScale branch acme\/ara-dev\/dev to become ready at cluster size PS_20_AWS_ARM \(last state: ready at PS_10_AWS_ARM, resizing/,
    );
  });
});

describe("Role provider", () => {
  const env = useFakePlanetScale();

  it("creates credentials, waits until ready, and returns a secret connection string", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.role, roleInputs(env, { ttl: 3600 }));
    expect(inputs["inheritedRoles"]).toEqual(["pg_read_all_data", "pg_write_all_data"]);
    const { id, outs } = await env.providers.role.create(inputs);

    const created = env.fake.calls("create_role")[0]!;
    expect(created.body).toEqual({
      name: "app",
      ttl: 3600,
      inherited_roles: ["pg_read_all_data", "pg_write_all_data"],
    });
    const live = [...env.fake.database("ara-dev")!.branches.get("main")!.roles.values()][0]!.api;
    expect(id).toBe(`acme/ara-dev/main/${live.id}`);
    expect(outs).toMatchObject({
      roleId: live.id,
      name: "app",
      username: live.username,
      password: live.password,
      host: "us-east.pg.psdb.cloud",
      port: 5432,
      databaseName: "postgres",
      inheritedRoles: ["pg_read_all_data", "pg_write_all_data"],
      ttl: 3600,
    });
    expect(outs["connectionString"]).toBe(
      `postgresql://${encodeURIComponent(live.username)}:${encodeURIComponent(live.password)}` +
        `@us-east.pg.psdb.cloud:5432/postgres?sslmode=verify-full`,
    );
    expect(env.fake.calls("get_role").length).toBeGreaterThanOrEqual(2);
  });

  it("read keeps the password (the API shows it only once) and detects deletion", async () => {
    await createDatabase(env);
    const { id, outs } = await env.providers.role.create(
      await checked(env.providers.role, roleInputs(env)),
    );
    const read = await env.providers.role.read!(id, outs);
    expect(read.props).toMatchObject({
      password: outs["password"],
      connectionString: outs["connectionString"],
    });
    env.fake.database("ara-dev")!.branches.get("main")!.roles.clear();
    expect((await env.providers.role.read!(id, outs)).id).toBe("");
  });

  it("diff: new inherited roles or ttl create new credentials first; a rename is in place", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.role, roleInputs(env));
    const { id, outs } = await env.providers.role.create(inputs);
    const diff = (o: Record<string, unknown>) =>
      env.providers.role.diff!(id, outs, { ...inputs, ...o });

    expect(await diff({})).toMatchObject({ changes: false });
    expect(await diff({ inheritedRoles: ["pg_read_all_data"] })).toEqual(
      changed(["inheritedRoles"]),
    );
    expect(await diff({ name: "app2" })).toMatchObject({ changes: true, replaces: [] });

    const { outs: renamed } = await env.providers.role.update!(id, outs, {
      ...inputs,
      name: "app2",
    });
    expect(env.fake.calls("update_role").map((r) => r.body)).toEqual([{ name: "app2" }]);
    expect(renamed).toMatchObject({ name: "app2", password: outs["password"] });
  });

  it("deletes a half-made role so no orphaned credentials are left", async () => {
    await createDatabase(env);
    env.fake.inject({ operationId: "get_role", status: 500, times: Infinity });
    const err = await rejection(
      env.providers.role.create(await checked(env.providers.role, roleInputs(env))),
    );
    expect(err.message).toMatch(/was created but could not be completed, so it was deleted again/);
    expect(err.message).not.toMatch(/pscale_pw_/);
    expect(env.fake.calls("delete_role")).toHaveLength(1);
    expect(env.fake.database("ara-dev")!.branches.get("main")!.roles.size).toBe(0);
  });

  it("delete passes the successor and treats a missing role as deleted", async () => {
    await createDatabase(env);
    const { id, outs } = await env.providers.role.create(
      await checked(env.providers.role, roleInputs(env, { successor: "postgres" })),
    );
    await env.providers.role.delete!(id, outs);
    expect(env.fake.calls("delete_role")[0]!.query).toEqual({ successor: "postgres" });
    await env.providers.role.delete!(id, outs);
    expect(env.fake.calls("delete_role").map((r) => r.status)).toEqual([204, 404]);
  });

  it("check rejects roles outside the spec's inherited_roles enum", async () => {
    const result = await env.providers.role.check!(
      {},
      roleInputs(env, { inheritedRoles: ["pg_read_all_data", "superuser"] }),
    );
    expect(result.failures).toEqual([
      {
        property: "inheritedRoles",
        reason: expect.stringMatching(/contains \["superuser"\]; allowed: pg_checkpoint/),
      },
    ]);
  });
});

describe("BackupPolicy provider", () => {
  const env = useFakePlanetScale();

  it("creates, updates in place, reads and deletes a policy", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.backupPolicy, policyInputs(env));
    const { id, outs } = await env.providers.backupPolicy.create(inputs);

    expect(env.fake.calls("create_backup_policy").map((r) => r.body)).toEqual([
      {
        name: "nightly",
        target: "production",
        retention_value: 7,
        retention_unit: "day",
        frequency_value: 1,
        frequency_unit: "day",
        schedule_time: "03:30",
      },
    ]);
    expect(id).toBe(`acme/ara-dev/${outs["policyId"]}`);
    expect(outs).toMatchObject({ name: "nightly", retentionValue: 7, required: false });

    const news = { ...inputs, retentionValue: 30 };
    expect(await env.providers.backupPolicy.diff!(id, outs, news)).toEqual(changed([]));
    const { outs: updated } = await env.providers.backupPolicy.update!(id, outs, news);
    expect(updated).toMatchObject({ retentionValue: 30, policyId: outs["policyId"] });

    // Nothing to change (e.g. only the token rotated): read, do not write.
    const patches = env.fake.calls("update_backup_policy").length;
    const { outs: same } = await env.providers.backupPolicy.update!(id, updated, news);
    expect(env.fake.calls("update_backup_policy")).toHaveLength(patches);
    expect(same).toEqual(updated);

    const read = await env.providers.backupPolicy.read!(id, updated);
    expect(read.props).toMatchObject({ retentionValue: 30 });

    await env.providers.backupPolicy.delete!(id, updated);
    await env.providers.backupPolicy.delete!(id, updated);
    expect(env.fake.calls("delete_backup_policy").map((r) => r.status)).toEqual([204, 404]);
    expect((await env.providers.backupPolicy.read!(id, updated)).id).toBe("");
  });

  it("a repeated create adopts its own policy and never the system one", async () => {
    await createDatabase(env);
    const inputs = await checked(env.providers.backupPolicy, policyInputs(env));
    const first = await env.providers.backupPolicy.create(inputs);
    const again = await env.providers.backupPolicy.create({ ...inputs, retentionValue: 14 });
    expect(again.id).toBe(first.id);
    expect(again.outs).toMatchObject({ retentionValue: 14 });
    expect(env.fake.calls("create_backup_policy")).toHaveLength(1);

    // The fake seeds a required system policy named "Default" on every database.
    const named = await checked(env.providers.backupPolicy, policyInputs(env, { name: "Default" }));
    const own = await env.providers.backupPolicy.create(named);
    expect(own.outs).toMatchObject({ name: "Default", required: false });
    expect(env.fake.database("ara-dev")!.policies.size).toBe(3);
  });

  it("check validates units, schedule and ranges", async () => {
    const result = await env.providers.backupPolicy.check!(
      {},
      policyInputs(env, {
        retentionUnit: "fortnight",
        frequencyUnit: "year",
        scheduleTime: "25:00",
        scheduleDay: 7,
        retentionValue: 0,
      }),
    );
    expect((result.failures ?? []).map((f) => f.property).sort()).toEqual([
      "frequencyUnit",
      "retentionUnit",
      "retentionValue",
      "scheduleDay",
      "scheduleTime",
    ]);
  });
});
