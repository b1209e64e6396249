// The database restore drill: restore a backup (or a point in time) into a new PlanetScale
// branch, prove it holds the app's data, time it against the RTO, and always remove what it
// made. A backup that has never been restored is a hope, not a backup.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { call, isDrillApiError, type PlanetScaleApi } from "./api";

export const DATABASE_RTO_SECONDS = 15 * 60;

export type RestoreSource =
  { kind: "backup"; backupId: "latest" | string } | { kind: "restore-point"; at: string };

export interface ExpectedMigration {
  id: number;
  name: string;
  checksum: string;
}

export interface DatabaseDrillOptions {
  api: PlanetScaleApi;
  organization: string;
  database: string;
  /** The branch whose backups (or history) are restored: the production branch. */
  sourceBranch?: string;
  source: RestoreSource;
  expectedMigrations: ExpectedMigration[];
  /** Poll interval and deadline for the branch and the role becoming ready. */
  pollIntervalMs?: number;
  readyTimeoutMs?: number;
  /** Lifetime of the drill's role; PlanetScale drops it by itself after this even if cleanup fails. */
  roleTtlSeconds?: number;
  /** PostgreSQL port of the branch (PlanetScale: 5432 direct, 6432 PgBouncer). */
  port?: number;
  /** `verify-full` against PlanetScale; tests against a loopback server use `disable`. */
  sslmode?: "verify-full" | "disable";
  connectTimeoutMs?: number;
  rtoSeconds?: number;
  /** The branch name; by default `drill-<UTC time>-<random>`. */
  branchName?: string;
  now?: () => number;
  log?: (line: string) => void;
}

export interface DrillStep {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface DatabaseDrillReport {
  kind: "database";
  ok: boolean;
  organization: string;
  database: string;
  branch: string;
  source: RestoreSource & { resolvedBackupId?: string };
  steps: DrillStep[];
  /** From the create request to the smoke checks passing: the time a real restore takes. */
  restoreSeconds: number | null;
  rtoSeconds: number;
  withinRto: boolean;
  cleanup: { branchDeleted: boolean; roleDeleted: boolean; errors: string[] };
  smoke?: { migrations: number[]; auditRows: number; sampleAuditId: string | null };
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function drillBranchName(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `drill-${stamp}-${randomBytes(2).toString("hex")}`;
}

/**
 * Runs the drill. Never throws for a failed step: the report says what failed, and cleanup has
 * run (or says why it could not) before it returns.
 */
export async function runDatabaseDrill(o: DatabaseDrillOptions): Promise<DatabaseDrillReport> {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => undefined);
  const rtoSeconds = o.rtoSeconds ?? DATABASE_RTO_SECONDS;
  const sourceBranch = o.sourceBranch ?? "main";
  const branch = o.branchName ?? drillBranchName(now());
  const params = { organization: o.organization, database: o.database };
  const report: DatabaseDrillReport = {
    kind: "database",
    ok: false,
    organization: o.organization,
    database: o.database,
    branch,
    source: { ...o.source },
    steps: [],
    restoreSeconds: null,
    rtoSeconds,
    withinRto: false,
    cleanup: { branchDeleted: false, roleDeleted: false, errors: [] },
  };
  const step = async <T>(name: string, fn: () => Promise<[T, string]>): Promise<T> => {
    const t0 = now();
    try {
      const [value, detail] = await fn();
      report.steps.push({ name, ok: true, ms: now() - t0, detail });
      log(`ok   ${name}: ${detail}`);
      return value;
    } catch (e) {
      const detail = (e as Error).message;
      report.steps.push({ name, ok: false, ms: now() - t0, detail });
      log(`FAIL ${name}: ${detail}`);
      throw e;
    }
  };

  let branchRequested = false;
  let roleId: string | undefined;
  let client: pg.Client | undefined;
  let started = 0;
  try {
    const body: Record<string, unknown> = { name: branch, parent_branch: sourceBranch };
    if (o.source.kind === "backup") {
      const source = o.source;
      const { backupId, clusterSize } = await step("find backup", async () => {
        const parent = await call(o.api, "get_branch", { ...params, branch: sourceBranch });
        const id =
          source.backupId === "latest" ? await latestBackup(o, sourceBranch) : source.backupId;
        return [
          { backupId: id, clusterSize: parent.cluster_name as string },
          `backup ${id} of ${sourceBranch} (cluster ${parent.cluster_name})`,
        ];
      });
      report.source.resolvedBackupId = backupId;
      // create_branch: cluster_size is "Required if a backup_id is provided".
      Object.assign(body, { backup_id: backupId, cluster_size: clusterSize });
    } else {
      body.restore_point = o.source.at;
    }

    started = now();
    await step("create branch", async () => {
      branchRequested = true;
      try {
        await call(o.api, "create_branch", params, { body });
      } catch (e) {
        // A refused create made nothing; a timeout or a 5xx may have, so cleanup still looks.
        if (isDrillApiError(e) && e.status >= 400 && e.status < 500) branchRequested = false;
        throw e;
      }
      return [
        undefined,
        `${branch} from ${o.source.kind === "backup" ? `backup ${body.backup_id}` : `restore point ${o.source.at}`}`,
      ];
    });

    await step("wait for branch", async () => {
      const polls = await pollUntil(o, `branch ${branch}`, async () => {
        const b = await call(o.api, "get_branch", { ...params, branch });
        return [b.ready === true && b.state === "ready", `state ${b.state}`];
      });
      return [undefined, `ready after ${polls} polls`];
    });

    const role = await step("create short-lived role", async () => {
      const ttl = o.roleTtlSeconds ?? 1800;
      const r = await call(
        o.api,
        "create_role",
        { ...params, branch },
        {
          body: { name: `${branch}-reader`, ttl, inherited_roles: ["pg_read_all_data"] },
        },
      );
      roleId = r.id;
      return [r, `${r.username}, read-only, expires ${r.expires_at ?? `in ${ttl} s`}`];
    });

    await step("wait for role", async () => {
      const polls = await pollUntil(o, `role ${role.username}`, async () => {
        const r = await call(o.api, "get_role", { ...params, branch, id: role.id });
        return [r.ready === true, r.ready ? "ready" : "not ready"];
      });
      return [undefined, `ready after ${polls} polls`];
    });

    client = await step("connect", async () => {
      const c = new pg.Client({
        host: role.access_host_url,
        port: o.port ?? 5432,
        user: role.username,
        password: role.password,
        database: role.database_name,
        ssl: (o.sslmode ?? "verify-full") === "verify-full" ? { rejectUnauthorized: true } : false,
        connectionTimeoutMillis: o.connectTimeoutMs ?? 10_000,
        statement_timeout: 30_000,
      });
      c.on("error", () => undefined);
      try {
        await c.connect();
      } catch (e) {
        await c.end().catch(() => undefined);
        throw new Error(
          `cannot connect to ${role.access_host_url}:${o.port ?? 5432}/${role.database_name} as ${role.username}: ${(e as Error).message}`,
        );
      }
      return [c, `${role.access_host_url}:${o.port ?? 5432}/${role.database_name}`];
    });

    const migrations = await step("smoke: schema at latest migration", async () => {
      const { rows } = await client!.query<{ id: number; name: string; checksum: string }>(
        "SELECT id, name, checksum FROM schema_migrations ORDER BY id",
      );
      const problems = compareMigrations(rows, o.expectedMigrations);
      if (problems.length > 0) throw new Error(problems.join("; "));
      return [rows.map((r) => r.id), `migrations ${rows.map((r) => r.id).join(", ")}`];
    });

    const audits = await step("smoke: audits read back", async () => {
      const count = await client!.query<{ n: string }>("SELECT count(*)::text AS n FROM audits");
      const n = Number(count.rows[0]?.n ?? 0);
      if (n === 0) throw new Error("the audits table is empty: the restore holds no user data");
      // Every column of the newest rows decodes, not just the count.
      const sample = await client!.query(
        "SELECT id, session_id, organization, answers, score, level, category_scores, recommendations, created_at FROM audits ORDER BY created_at DESC LIMIT 5",
      );
      for (const row of sample.rows) {
        if (typeof row.id !== "string" || typeof row.answers !== "object" || row.answers === null) {
          throw new Error(`audit ${String(row.id)} did not read back whole`);
        }
      }
      return [
        { n, sample: (sample.rows[0]?.id as string) ?? null },
        `${n} rows, newest ${sample.rows[0]?.id}`,
      ];
    });

    report.smoke = { migrations, auditRows: audits.n, sampleAuditId: audits.sample };
    report.restoreSeconds = (now() - started) / 1000;
    report.withinRto = report.restoreSeconds <= rtoSeconds;
    report.ok = report.withinRto;
    if (!report.withinRto) {
      report.error = `the restore took ${report.restoreSeconds.toFixed(0)} s, over the ${rtoSeconds} s RTO`;
    }
  } catch (e) {
    report.error = (e as Error).message;
    if (started > 0) report.restoreSeconds = (now() - started) / 1000;
  } finally {
    await client?.end().catch(() => undefined);
    await cleanup(o, report, branch, branchRequested, roleId);
  }
  if (report.cleanup.errors.length > 0) report.ok = false;
  return report;
}

async function latestBackup(o: DatabaseDrillOptions, branch: string): Promise<string> {
  const list = await call(
    o.api,
    "list_backups",
    { organization: o.organization, database: o.database, branch },
    { query: { state: "success", per_page: 100 } },
  );
  const done = (
    (list?.data ?? []) as Array<{ id: string; state: string; completed_at: string | null }>
  )
    .filter((b) => b.state === "success" && b.completed_at)
    .sort((a, b) => Date.parse(b.completed_at!) - Date.parse(a.completed_at!));
  if (done.length === 0) {
    throw new Error(
      `${o.database}/${branch} has no successful backup to restore. Fix: check its backup policy (ara:database.backup) or pass --restore-point <time> instead`,
    );
  }
  return done[0]!.id;
}

async function pollUntil(
  o: DatabaseDrillOptions,
  what: string,
  probe: () => Promise<[boolean, string]>,
): Promise<number> {
  const now = o.now ?? Date.now;
  const interval = o.pollIntervalMs ?? 10_000;
  const deadline = now() + (o.readyTimeoutMs ?? 14 * 60_000);
  let last = "";
  for (let polls = 1; ; polls++) {
    const [done, state] = await probe();
    last = state;
    if (done) return polls;
    if (now() + interval > deadline) {
      throw new Error(
        `${what} was not ready within ${((o.readyTimeoutMs ?? 14 * 60_000) / 1000).toFixed(0)} s (last ${last}, ${polls} polls)`,
      );
    }
    await sleep(interval);
  }
}

export function compareMigrations(
  rows: Array<{ id: number; name: string; checksum: string }>,
  expected: ExpectedMigration[],
): string[] {
  const problems: string[] = [];
  const have = new Map(rows.map((r) => [Number(r.id), r]));
  for (const m of expected) {
    const row = have.get(m.id);
    if (!row)
      problems.push(
        `migration ${m.id} (${m.name}) is missing: the restore is older than the app's schema`,
      );
    else if (row.checksum !== m.checksum)
      problems.push(`migration ${m.id} (${m.name}) has another checksum`);
  }
  const known = new Set(expected.map((m) => m.id));
  for (const r of rows) {
    if (!known.has(Number(r.id)))
      problems.push(`migration ${r.id} (${r.name}) is unknown to this app version`);
  }
  return problems;
}

/** Deletes the role, then the branch; a 404 means already gone. Records, never throws. */
async function cleanup(
  o: DatabaseDrillOptions,
  report: DatabaseDrillReport,
  branch: string,
  branchRequested: boolean,
  roleId: string | undefined,
): Promise<void> {
  const params = { organization: o.organization, database: o.database, branch };
  const t0 = (o.now ?? Date.now)();
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    // Three tries: cleanup runs after failures, which are often the API being unwell.
    for (let i = 1; i <= 3; i++) {
      try {
        await fn();
        return true;
      } catch (e) {
        if (isDrillApiError(e, 404)) return true;
        if (i === 3) {
          report.cleanup.errors.push(
            `${what}: ${(e as Error).message} Remove it by hand: pscale branch delete ${o.database} ${branch} --org ${o.organization}`,
          );
          return false;
        }
        await sleep(Math.min(o.pollIntervalMs ?? 1000, 1000) * i);
      }
    }
    return false;
  };
  report.cleanup.roleDeleted =
    roleId === undefined ||
    (await attempt(`delete role ${roleId}`, () =>
      call(o.api, "delete_role", { ...params, id: roleId }),
    ));
  report.cleanup.branchDeleted =
    !branchRequested ||
    (await attempt(`delete branch ${branch}`, () => call(o.api, "delete_branch", params)));
  const ok = report.cleanup.roleDeleted && report.cleanup.branchDeleted;
  report.steps.push({
    name: "cleanup",
    ok,
    ms: (o.now ?? Date.now)() - t0,
    detail: ok
      ? `deleted${roleId ? " role and" : ""}${branchRequested ? ` branch ${branch}` : " nothing to delete"}`
      : report.cleanup.errors.join("; "),
  });
  (o.log ?? (() => undefined))(`${ok ? "ok  " : "FAIL"} cleanup`);
}
