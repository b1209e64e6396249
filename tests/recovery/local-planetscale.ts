// The spec-driven fake PlanetScale API backed by a real local PostgreSQL, for the database
// drill's tests and its benchmark (`npm run bench`): a restore branch becomes a copy of a
// migrated database with audits, and the drill's short-lived role a real login with VALID UNTIL.
import pg from "pg";
import { FakePlanetScale } from "../fixtures/planetscale/fake-api";
import type { Migration } from "./web";

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

export interface AppMigrations {
  MIGRATIONS: Migration[];
  runMigrations(pool: pg.Pool, logger: unknown, list: Migration[]): Promise<number[]>;
}

/**
 * A database on the server of `serverUrl` (created unless it is the URL's own) at the app's
 * schema, with `audits` rows; `dropMigration` makes it look older than the app.
 */
export async function seedDatabase(
  admin: pg.Client,
  serverUrl: string,
  database: string,
  app: AppMigrations,
  opts: { audits: number; dropMigration?: number },
): Promise<void> {
  const url = new URL(serverUrl);
  if (url.pathname !== `/${database}`) await admin.query(`CREATE DATABASE ${ident(database)}`);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    await app.runMigrations(pool, quiet, app.MIGRATIONS);
    for (let i = 0; i < opts.audits; i++) {
      await pool.query(
        `INSERT INTO audits (session_id, organization, answers, score, level, category_scores, recommendations, questionnaire_version, created_at)
         VALUES (gen_random_uuid(), $1, $2, $3, 'developing', '{}'::jsonb, '[]'::jsonb, 1, now() - ($4 || ' minutes')::interval)`,
        [`Org ${i}`, JSON.stringify({ q1: i % 5 }), (i * 7) % 100, String(i)],
      );
    }
    if (opts.dropMigration) {
      await pool.query("DELETE FROM schema_migrations WHERE id = $1", [opts.dropMigration]);
    }
  } finally {
    await pool.end();
  }
}

export interface LocalPlanetScale {
  fake: FakePlanetScale;
  /** The database a new restore branch is copied from. */
  template: string;
  /** When set, a new role is handed out without a login behind it (connecting then fails). */
  failRoleCreate: boolean;
  /** Branches, their databases and drill logins still present (all empty after a clean drill). */
  leftovers(): Promise<{ databases: string[]; roles: string[]; branches: string[] }>;
  close(): Promise<void>;
}

/**
 * The fake API for `organization`, holding `database` (PostgreSQL, PS_10_AWS_ARM), whose branches
 * and roles are made real on the server `admin` is connected to.
 */
export async function startLocalPlanetScale(
  admin: pg.Client,
  opts: { organization: string; database: string; template: string },
): Promise<LocalPlanetScale> {
  const state = { template: opts.template, failRoleCreate: false };
  const fake = await FakePlanetScale.start({
    organization: opts.organization,
    roleHost: "127.0.0.1",
    hooks: {
      // A restore is a copy of the data as it was: the branch gets its own database.
      async branchCreated(e) {
        await admin.query(`CREATE DATABASE ${ident(e.branch)} TEMPLATE ${ident(state.template)}`);
      },
      async branchDeleted(e) {
        await admin.query(`DROP DATABASE IF EXISTS ${ident(e.branch)} WITH (FORCE)`);
      },
      async roleCreated(e) {
        if (state.failRoleCreate) return { databaseName: e.branch };
        const until = new Date(Date.now() + e.ttl * 1000).toISOString();
        await admin.query(
          `CREATE ROLE ${ident(e.username)} LOGIN PASSWORD '${e.password}' VALID UNTIL '${until}'`,
        );
        for (const r of e.inheritedRoles) await admin.query(`GRANT ${r} TO ${ident(e.username)}`);
        return { databaseName: e.branch };
      },
      async roleDeleted(e) {
        await admin.query(`DROP ROLE IF EXISTS ${ident(e.username)}`);
      },
    },
  });
  const res = await fetch(`${fake.baseUrl}/organizations/${opts.organization}/databases`, {
    method: "POST",
    headers: {
      Authorization: `${fake.tokenId}:${fake.token}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({
      name: opts.database,
      cluster_size: "PS_10_AWS_ARM",
      kind: "postgresql",
      region: "us-east",
    }),
  });
  if (res.status !== 201) {
    await fake.close();
    throw new Error(`creating ${opts.database} in the fake API answered ${res.status}`);
  }
  return {
    fake,
    get template() {
      return state.template;
    },
    set template(v: string) {
      state.template = v;
    },
    get failRoleCreate() {
      return state.failRoleCreate;
    },
    set failRoleCreate(v: boolean) {
      state.failRoleCreate = v;
    },
    async leftovers() {
      const dbs = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'drill-%'",
      );
      const roles = await admin.query<{ rolname: string }>(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'drill-%'",
      );
      const branches = [...(fake.database(opts.database)?.branches.keys() ?? [])].filter(
        (b) => b !== "main",
      );
      return {
        databases: dbs.rows.map((r) => r.datname),
        roles: roles.rows.map((r) => r.rolname),
        branches,
      };
    },
    close: () => fake.close(),
  };
}
