import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotPath, startPglite, type DevPglite } from "../src/local/pglite";

// The dev database: initdb once per machine, then every new database from the kept snapshot.
describe("PGlite for npm run dev", () => {
  let root: string;
  const open: DevPglite[] = [];
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "ara-pglite-"));
  });
  afterAll(async () => {
    for (const db of open) await db.close().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  async function start(dir?: string) {
    const progress: string[] = [];
    const db = await startPglite({
      dir,
      cacheDir: path.join(root, "cache"),
      progress: (m) => progress.push(m),
    });
    open.push(db);
    const pool = new pg.Pool(db.poolConfig);
    try {
      await pool.query("CREATE TABLE IF NOT EXISTS t (v text)");
      await pool.query("INSERT INTO t VALUES ($1)", [dir ?? "memory"]);
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM t");
      return { db, progress, rows: rows[0]!.n };
    } finally {
      await pool.end();
    }
  }

  it("runs initdb once, keeps the snapshot, and builds later databases from it", async () => {
    const snapshot = snapshotPath(path.join(root, "cache"));
    expect(existsSync(snapshot)).toBe(false);
    const first = await start();
    expect(first.db.source).toBe("initdb");
    expect(first.progress[0]).toMatch(/initdb \(first start on this machine/);
    expect(existsSync(snapshot)).toBe(true);
    await first.db.close();

    const dir = path.join(root, "data");
    const second = await start(dir);
    expect(second.db.source).toBe("snapshot");
    expect(second.progress[0]).toContain(snapshot);
    // A snapshot holds a fresh cluster only, not the first database's rows.
    expect(second.rows).toBe(1);
    await second.db.close();

    const third = await start(dir);
    expect(third.db.source).toBe("existing");
    expect(third.rows).toBe(2);
  }, 180_000);
});
