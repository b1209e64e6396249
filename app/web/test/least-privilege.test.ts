import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { answers, Client, startApp, type TestApp } from "./harness/app";

// Production runs the app as a role that can only read and write rows (PlanetScale's
// pg_read_all_data + pg_write_all_data), and migrations as a separate migrator role on
// MIGRATION_DATABASE_URL. This reproduces that split on the real PostgreSQL server.
const admin = new URL(inject("pgUrl"));
const database = `ara_least_${process.pid}`;
const appRole = `ara_app_${process.pid}`;
const appPassword = randomBytes(18).toString("base64url");

const urlFor = (user: string, password: string) => {
  const u = new URL(admin.href);
  u.username = user;
  u.password = password;
  u.pathname = `/${database}`;
  return u.href;
};

async function asAdmin<T>(db: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(admin.href);
  u.pathname = `/${db}`;
  const c = new pg.Client({ connectionString: u.href });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe("least-privilege app role with a separate migrator", () => {
  let app: TestApp;
  const migratorUrl = (() => {
    const u = new URL(admin.href);
    u.pathname = `/${database}`;
    return u.href;
  })();

  beforeAll(async () => {
    await asAdmin(admin.pathname.slice(1) || "postgres", async (c) => {
      await c.query(`CREATE DATABASE ${database}`);
      await c.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${appPassword}'`);
      await c.query(`GRANT pg_read_all_data, pg_write_all_data TO ${appRole}`);
      await c.query(`GRANT CONNECT ON DATABASE ${database} TO ${appRole}`);
    });
    app = await startApp({
      DATABASE_URL: urlFor(appRole, appPassword),
      MIGRATION_DATABASE_URL: migratorUrl,
    });
  });

  afterAll(async () => {
    await app?.close();
    await asAdmin(admin.pathname.slice(1) || "postgres", async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${appRole}`);
    });
  });

  it("migrates as the migrator, then serves sessions and audits as the app role", async () => {
    const c = new Client(app.base);
    expect((await c.startSession()).status).toBe(201);
    const created = await c.request("POST", "/api/audits", {
      json: {
        organization: "Least Privilege Ltd",
        email: "owner@example.com",
        answers: answers(3),
      },
    });
    expect(created.status).toBe(201);
    expect((await c.request("GET", `/api/audits/${created.body.id}`)).status).toBe(200);
    const tables = await asAdmin(database, (db) =>
      db.query("SELECT tableowner FROM pg_tables WHERE tablename = 'schema_migrations'"),
    );
    expect(tables.rows).toEqual([{ tableowner: admin.username || "postgres" }]);
  });

  it("leaves the app role unable to change the schema", async () => {
    const client = new pg.Client({ connectionString: urlFor(appRole, appPassword) });
    await client.connect();
    try {
      await expect(client.query("CREATE TABLE intruder (id int)")).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query("DROP TABLE schema_migrations")).rejects.toThrow(/must be owner/);
    } finally {
      await client.end();
    }
  });

  it("cannot migrate with the app role alone, which is why production sets MIGRATION_DATABASE_URL", async () => {
    const fresh = `${database}_nomig`;
    await asAdmin(admin.pathname.slice(1) || "postgres", (c) =>
      c.query(`CREATE DATABASE ${fresh}`),
    );
    try {
      const url = new URL(urlFor(appRole, appPassword));
      url.pathname = `/${fresh}`;
      await expect(startApp({ DATABASE_URL: url.href })).rejects.toThrow(/permission denied/);
    } finally {
      await asAdmin(admin.pathname.slice(1) || "postgres", (c) =>
        c.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`),
      );
    }
  });
});

describe("CLIENT_IP_HEADER", () => {
  it("rate-limits by the proxy's client-address header, not by X-Forwarded-For", async () => {
    const small = await startApp({
      RATE_LIMIT_PER_MINUTE: "2",
      CLIENT_IP_HEADER: "cf-connecting-ip",
    });
    try {
      const send = (cf: string, xff: string) =>
        fetch(`${small.base}/api/health`, {
          headers: { "cf-connecting-ip": cf, "x-forwarded-for": xff },
        });
      // The same CF-Connecting-IP behind changing X-Forwarded-For values is one client.
      const statuses = [];
      for (const xff of ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        statuses.push((await send("203.0.113.9", xff)).status);
      expect(statuses).toEqual([200, 200, 429]);
      // Another CF-Connecting-IP is another client.
      expect((await send("203.0.113.10", "10.0.0.1")).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
