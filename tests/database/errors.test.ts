// API failures are mapped to messages that say what to fix, retries are bounded, and no message
// ever carries the service token or a password.
import { describe, expect, it } from "vitest";
import { createDatabaseProvider } from "../../providers/planetscale/providers";
import { FakePlanetScale } from "../fixtures/planetscale/fake-api";
import { createDatabase, databaseInputs, FAST, rejection, useFakePlanetScale } from "./helpers";

describe("PlanetScale API errors", () => {
  const env = useFakePlanetScale();

  /** Every secret the provider could leak. */
  function expectNoSecrets(err: any) {
    const text = `${err.message}\n${err.stack ?? ""}\n${JSON.stringify(err)}`;
    expect(text).not.toContain(env.fake.token);
    expect(text).not.toContain(env.fake.tokenId);
    expect(text).not.toMatch(/pscale_pw_/);
  }

  it("401: says the token was not accepted and where to set it", async () => {
    const err = await rejection(
      createDatabase(env, { serviceToken: "pscale_tkn_wrongwrongwrong" }),
    );
    expect(err.status).toBe(401);
    expect(err.message).toMatch(
      /401 Unauthorized for create_database \(POST \/organizations\/acme\/databases\) on database acme\/ara-dev/,
    );
    expect(err.message).toMatch(/ara:planetscaleServiceToken/);
    expect(err.message).toMatch(/PLANETSCALE_SERVICE_TOKEN/);
    expect(err.message).not.toContain("pscale_tkn_wrongwrongwrong");
    expectNoSecrets(err);
  });

  it("403: names the missing service-token access and how to grant it", async () => {
    env.fake.grants.delete("create_databases");
    const err = await rejection(createDatabase(env));
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/lacks the `create_databases` access for organization acme/);
    expect(err.message).toMatch(/pscale service-token add-access <token-id> create_databases/);
    expectNoSecrets(err);

    // Database-scoped operations name the database in the grant command.
    env.fake.grants.add("create_databases");
    env.fake.grants.delete("write_database");
    const err2 = await rejection(createDatabase(env, { deletionProtected: true }));
    expect(err2.message).toMatch(/lacks the `write_database` access for database ara-dev/);
    expect(err2.message).toMatch(
      /add-access <token-id> write_database --database ara-dev --org acme/,
    );
  });

  it("403 on role creation lists both production and development accesses", async () => {
    await createDatabase(env);
    env.fake.grants.delete("create_production_branch_password");
    env.fake.grants.delete("create_production_read_only_branch_password");
    env.fake.grants.delete("create_branch_password");
    const role = env.providers.role;
    const err = await rejection(
      role.create({ ...env.creds, organization: "acme", database: "ara-dev", branch: "main" }),
    );
    expect(err.message).toMatch(
      /lacks the `create_production_branch_password` or `create_branch_password` access/,
    );
  });

  it("404: explains that the resource is missing or invisible to the token", async () => {
    const err = await rejection(createDatabase(env, { organization: "no-such-org" }));
    expect(err.status).toBe(404);
    expect(err.message).toMatch(
      /404 Not Found for create_database .* on database no-such-org\/ara-dev/,
    );
    expect(err.message).toMatch(/Check the organization, database and branch names/);
  });

  it("409: conflict with no same-named database is reported, not swallowed", async () => {
    env.fake.inject({
      operationId: "create_database",
      status: 409,
      body: { code: "conflict", message: "A database operation is already in progress" },
    });
    const err = await rejection(createDatabase(env));
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/409 Conflict for create_database/);
    expect(err.message).toMatch(/PlanetScale said: "A database operation is already in progress"/);
    expect(env.fake.databases.size).toBe(0);
  });

  it("422: names the invalid field from each error body shape", async () => {
    env.fake.inject({
      operationId: "create_database",
      status: 422,
      body: { code: "unprocessable", message: "Cluster size is not available in this region" },
    });
    const err = await rejection(createDatabase(env));
    expect(err.status).toBe(422);
    expect(err.field).toBe("cluster_size");
    expect(err.message).toMatch(/422 Unprocessable Entity: invalid field `cluster_size`/);
    expect(err.message).toMatch(/Fix that input and re-run/);

    // Parameter validation on branch changes uses {errors: [{namespace, name, errors}]}.
    const { id, inputs, outs } = await createDatabase(env);
    env.fake.inject({
      operationId: "update_branch_change_request",
      status: 422,
      body: {
        errors: [{ namespace: "pgconf", name: "max_connections", errors: ["is too large"] }],
      },
    });
    const err2 = await rejection(
      env.providers.database.update!(id, outs, { ...inputs, clusterSize: "PS_20_AWS_ARM" }),
    );
    expect(err2.message).toMatch(/invalid field `pgconf.max_connections`.*"is too large"/);
  });

  it("500: retries idempotent calls a bounded number of times, then says it is server-side", async () => {
    const { id, outs } = await createDatabase(env);
    const before = env.fake.calls("get_database").length;
    env.fake.inject({ operationId: "get_database", status: 500, times: Infinity });
    const err = await rejection(env.providers.database.read!(id, outs));
    expect(err.status).toBe(500);
    expect(err.message).toMatch(
      /returned 500 for get_database .* after 3 attempts: a server-side error/,
    );
    expect(env.fake.calls("get_database").length - before).toBe(FAST.maxAttempts);
    expectNoSecrets(err);
  });

  it("500 on a create is not retried (it may have succeeded); 429 is", async () => {
    env.fake.inject({ operationId: "create_database", status: 500 });
    const err = await rejection(createDatabase(env));
    expect(err.status).toBe(500);
    expect(env.fake.calls("create_database")).toHaveLength(1);

    env.fake.inject({ operationId: "create_database", status: 429, times: 2 });
    const { outs } = await createDatabase(env);
    expect(outs["state"]).toBe("ready");
    expect(env.fake.calls("create_database").map((r) => r.status)).toEqual([500, 429, 429, 201]);
  });

  it("a transient 500 while polling is absorbed by the retries", async () => {
    env.fake.inject({ operationId: "get_database", status: 500, times: 2 });
    const { outs } = await createDatabase(env);
    expect(outs["state"]).toBe("ready");
  });

  it("an unreachable API gives a network error without credentials", async () => {
    const port = Number(new URL(env.fake.baseUrl).port);
    await env.fake.close();
    const provider = createDatabaseProvider({ ...FAST, baseUrl: `http://127.0.0.1:${port}/v1` });
    const err = await rejection(provider.create(databaseInputs(env)));
    expect(err.message).toMatch(/Could not reach the PlanetScale API for create_database/);
    expectNoSecrets(err);
    // A fresh fake for the shared afterEach to check and close.
    env.fake = await FakePlanetScale.start();
  });

  it("a missing token fails before any request, saying where to configure it", async () => {
    const provider = env.providers.database;
    const saved = { ...process.env };
    delete process.env["PLANETSCALE_SERVICE_TOKEN"];
    delete process.env["PLANETSCALE_SERVICE_TOKEN_ID"];
    try {
      const err = await rejection(
        provider.delete!("acme/ara-dev", { organization: "acme", name: "ara-dev" }),
      );
      expect(err.message).toMatch(/No PlanetScale service token to delete database acme\/ara-dev/);
      expect(err.message).toMatch(/PLANETSCALE_SERVICE_TOKEN_ID/);
      expect(env.fake.requests).toHaveLength(0);
    } finally {
      process.env = saved;
    }
  });

  it("falls back to PLANETSCALE_SERVICE_TOKEN(_ID) for state recorded without credentials", async () => {
    const { id, outs } = await createDatabase(env);
    const { serviceToken: _t, serviceTokenId: _i, ...withoutCreds } = outs;
    const saved = { ...process.env };
    process.env["PLANETSCALE_SERVICE_TOKEN_ID"] = env.fake.tokenId;
    process.env["PLANETSCALE_SERVICE_TOKEN"] = env.fake.token;
    try {
      await env.providers.database.delete!(id, withoutCreds);
    } finally {
      process.env = saved;
    }
    expect(env.fake.databases.has("ara-dev")).toBe(false);
  });

  it("no error message from any injected status carries a credential", async () => {
    for (const status of [400, 401, 403, 404, 409, 422, 429, 500, 503]) {
      env.fake.inject({
        operationId: "create_database",
        status,
        times: Infinity,
        // A hostile body that echoes the credentials back must be redacted too.
        body: { code: "x", message: `bad ${env.fake.tokenId}:${env.fake.token}` },
      });
      const err = await rejection(createDatabase(env, { name: `db-${status}` }));
      expectNoSecrets(err);
      expect(err.message).toContain("[redacted]");
      env.fake.clearFaults();
    }
  });
});
