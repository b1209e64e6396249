// The database restore drill against the spec-driven fake PlanetScale API, with a real local
// PostgreSQL behind it: a restore branch becomes a copy of a migrated database with audits, and
// the drill's short-lived role becomes a real login with a VALID UNTIL. Failures are injected
// at each step; after every run no branch, database copy or login may be left.
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDatabaseDrill, type DatabaseDrillOptions } from "../../recovery/database/drill";
import { expectedMigrations, loadAppMigrations } from "../../recovery/database/migrations";
import type { FakePlanetScale } from "../fixtures/planetscale/fake-api";
import {
  ident,
  seedDatabase,
  startLocalPlanetScale,
  type AppMigrations,
  type LocalPlanetScale,
} from "./local-planetscale";
import { webModule, type LocalPostgres, type Migration } from "./web";

const AUDITS = 25;

let server: LocalPostgres;
let MIGRATIONS: Migration[];
let admin: pg.Client;
let ps: LocalPlanetScale;
let fake: FakePlanetScale;

const leftovers = () => ps.leftovers();

beforeAll(async () => {
  const app = (await webModule("src/migrations.ts")) as AppMigrations;
  MIGRATIONS = app.MIGRATIONS;
  const { startPostgres } = await webModule("src/local/postgres.ts");
  server = await startPostgres({ database: "ara" });
  admin = new pg.Client({ connectionString: server.url.replace(/\/ara$/, "/postgres") });
  await admin.connect();
  await seedDatabase(admin, server.url, "ara", app, { audits: AUDITS });
  await seedDatabase(admin, server.url, "ara_stale", app, { audits: 3, dropMigration: 3 });
  await seedDatabase(admin, server.url, "ara_empty", app, { audits: 0 });
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

beforeEach(async () => {
  ps = await startLocalPlanetScale(admin, {
    organization: "acme",
    database: "ara-staging-system",
    template: "ara",
  });
  fake = ps.fake;
});

afterEach(async () => {
  const violations = fake.violations;
  await ps.close();
  expect(violations, "requests/responses outside the PlanetScale spec").toEqual([]);
});

function options(overrides: Partial<DatabaseDrillOptions> = {}): DatabaseDrillOptions {
  return {
    api: { baseUrl: fake.baseUrl, tokenId: fake.tokenId, token: fake.token },
    organization: "acme",
    database: "ara-staging-system",
    source: { kind: "backup", backupId: "latest" },
    expectedMigrations: expectedMigrations(MIGRATIONS),
    pollIntervalMs: 5,
    readyTimeoutMs: 2_000,
    port: server.port,
    sslmode: "disable",
    connectTimeoutMs: 3_000,
    ...overrides,
  };
}

const hour = 3_600_000;

describe("database restore drill", () => {
  it("restores the newest successful backup, checks it, and deletes what it made", async () => {
    fake.addBackup("ara-staging-system", "main", { completedAt: new Date(Date.now() - 30 * hour) });
    const newest = fake.addBackup("ara-staging-system", "main", {
      completedAt: new Date(Date.now() - 6 * hour),
    });
    fake.addBackup("ara-staging-system", "main", { state: "failed" });

    const report = await runDatabaseDrill(options());

    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.source.resolvedBackupId).toBe(newest.id);
    expect(report.smoke).toEqual({
      migrations: MIGRATIONS.map((m) => m.id),
      auditRows: AUDITS,
      sampleAuditId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(report.withinRto).toBe(true);
    expect(report.restoreSeconds).toBeGreaterThan(0);
    expect(report.restoreSeconds!).toBeLessThan(60);
    const create = fake.calls("create_branch")[0]!;
    // create_branch: cluster_size is required with backup_id; the parent's size is reused.
    expect(create.body).toEqual({
      name: report.branch,
      parent_branch: "main",
      backup_id: newest.id,
      cluster_size: "PS_10_AWS_ARM",
    });
    const role = fake.calls("create_role")[0]!;
    expect(role.body).toMatchObject({ ttl: 1800, inherited_roles: ["pg_read_all_data"] });
    expect(fake.calls("delete_role")).toHaveLength(1);
    expect(fake.calls("delete_branch")).toHaveLength(1);
    expect(report.cleanup).toEqual({ branchDeleted: true, roleDeleted: true, errors: [] });
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("the drill's role can read but not write the restored data", async () => {
    // The role is created read-only (pg_read_all_data); prove the grant means that.
    fake.addBackup("ara-staging-system", "main");
    let writeError = "";
    const original = fake.hooks.roleCreated!;
    fake.hooks.roleCreated = async (e) => {
      const made = await original(e);
      const c = new pg.Client({
        host: "127.0.0.1",
        port: server.port,
        user: e.username,
        password: e.password,
        database: e.branch,
      });
      await c.connect();
      try {
        await c.query("DELETE FROM audits");
      } catch (err) {
        writeError = (err as Error).message;
      } finally {
        await c.end();
      }
      return made;
    };
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(true);
    expect(writeError).toMatch(/permission denied/);
    expect(report.smoke?.auditRows).toBe(AUDITS);
  });

  it("restores a point in time through restore_point", async () => {
    const at = new Date(Date.now() - 2 * hour).toISOString();
    const report = await runDatabaseDrill(options({ source: { kind: "restore-point", at } }));
    expect(report.ok).toBe(true);
    expect(fake.calls("list_backups")).toHaveLength(0);
    expect(fake.calls("create_branch")[0]!.body).toEqual({
      name: report.branch,
      parent_branch: "main",
      restore_point: at,
    });
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("the CLI's migration list is the app's, with the app's checksums", () => {
    expect(loadAppMigrations()).toEqual(expectedMigrations(MIGRATIONS));
  });
});

describe("a failed drill cleans up after itself", () => {
  beforeEach(() => {
    fake.addBackup("ara-staging-system", "main");
  });

  it("no successful backup: fails before creating anything, naming the fix", async () => {
    fake.database("ara-staging-system")!.branches.get("main")!.backups.clear();
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/no successful backup.*--restore-point/);
    expect(fake.calls("create_branch")).toHaveLength(0);
    expect(fake.calls("delete_branch")).toHaveLength(0);
  });

  it.each([
    [500, "a 5xx may have created it, so cleanup looks"],
    [422, "a refusal created nothing"],
  ])("create fails with %i (%s)", async (status) => {
    fake.inject({ operationId: "create_branch", status });
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(new RegExp(`create_branch .* answered ${status}`));
    expect(report.steps.find((s) => s.name === "create branch")?.ok).toBe(false);
    expect(fake.calls("delete_branch")).toHaveLength(status === 500 ? 1 : 0);
    expect(report.cleanup.branchDeleted).toBe(true);
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("the branch never becomes ready: bounded polling, then the branch is deleted", async () => {
    fake.readyAfterPolls = Infinity;
    const report = await runDatabaseDrill(options({ readyTimeoutMs: 100, pollIntervalMs: 10 }));
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(
      /branch drill-.* was not ready within 0 s \(last state pending, \d+ polls\)/,
    );
    const polls = fake.calls("get_branch").length;
    expect(polls).toBeGreaterThan(1);
    expect(polls).toBeLessThan(30);
    expect(fake.calls("create_role")).toHaveLength(0);
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("connecting fails: the role and the branch are deleted", async () => {
    ps.failRoleCreate = true; // PlanetScale hands out a role the server does not know
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/cannot connect to 127\.0\.0\.1:\d+\/drill-.* as drill-/);
    expect(report.cleanup).toEqual({ branchDeleted: true, roleDeleted: true, errors: [] });
    expect(fake.calls("delete_role")).toHaveLength(1);
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("the schema is behind the app: the smoke check fails and names the migration", async () => {
    ps.template = "ara_stale";
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(false);
    expect(report.error).toBe(
      "migration 3 (enable_vector_where_available) is missing: the restore is older than the app's schema",
    );
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("the audits table is empty: the smoke check fails", async () => {
    ps.template = "ara_empty";
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/audits table is empty/);
    expect(await leftovers()).toEqual({ databases: [], roles: [], branches: [] });
  });

  it("over the RTO is a failed drill even when the data is right", async () => {
    const report = await runDatabaseDrill(options({ rtoSeconds: 0 }));
    expect(report.smoke?.auditRows).toBe(AUDITS);
    expect(report.withinRto).toBe(false);
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/over the 0 s RTO/);
  });

  it("cleanup that keeps failing is reported with the command that finishes it", async () => {
    fake.inject({ operationId: "delete_branch", status: 503, times: 3 });
    const report = await runDatabaseDrill(options());
    expect(report.ok).toBe(false);
    expect(report.cleanup.branchDeleted).toBe(false);
    expect(report.cleanup.errors[0]).toMatch(
      /delete branch drill-.*answered 503.*pscale branch delete ara-staging-system drill-\S+ --org acme/,
    );
    // A 503 on the third try too: the branch is really still there.
    const left = await leftovers();
    expect(left.branches).toEqual([report.branch]);
    expect(left.databases).toEqual([report.branch]);
    await admin.query(`DROP DATABASE ${ident(report.branch)} WITH (FORCE)`);
  });
});
