import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createLogger } from "../src/logger";
import { MIGRATIONS, runMigrations } from "../src/migrations";
import {
  CATEGORIES,
  LEVELS,
  QUESTION_IDS,
  answersSchema,
  levelFor,
  scoreAudit,
} from "../src/questionnaire";

const answersArb = fc.record(
  Object.fromEntries(QUESTION_IDS.map((id) => [id, fc.integer({ min: 0, max: 4 })])),
);

describe("readiness scoring model", () => {
  it("weights add up to 100 and every question id is unique", () => {
    expect(CATEGORIES.reduce((s, c) => s + c.weight, 0)).toBe(100);
    expect(new Set(QUESTION_IDS).size).toBe(QUESTION_IDS.length);
  });

  it("scores all-zero as 0/not_ready and all-four as 100/advanced", () => {
    const zero = scoreAudit(Object.fromEntries(QUESTION_IDS.map((id) => [id, 0])));
    expect(zero.score).toBe(0);
    expect(zero.level).toBe("not_ready");
    expect(zero.recommendations.map((r) => r.category)).toEqual([
      "data",
      "integration",
      "governance",
      "process",
      "people",
    ]);
    expect(zero.recommendations.every((r) => r.priority === "high")).toBe(true);
    const full = scoreAudit(Object.fromEntries(QUESTION_IDS.map((id) => [id, 4])));
    expect(full).toMatchObject({ score: 100, level: "advanced" });
  });

  it("level thresholds are 30, 55 and 80", () => {
    expect([0, 29, 30, 54, 55, 79, 80, 100].map(levelFor)).toEqual([
      "not_ready",
      "not_ready",
      "emerging",
      "emerging",
      "ready",
      "ready",
      "advanced",
      "advanced",
    ]);
    expect(LEVELS.map((l) => l.min)).toEqual([0, 30, 55, 80]);
  });

  it("a worked example matches docs/app.md", () => {
    // data 3,2,1 -> 50; integration 4,2 -> 75; governance 0,1,2 -> 25; process 3,1 -> 50; people 4,2 -> 75
    // score = (25*50 + 20*75 + 20*25 + 20*50 + 15*75) / 100 = 53.75 -> 54 (emerging)
    const r = scoreAudit({
      data_inventory: 3,
      data_quality: 2,
      data_access: 1,
      api_coverage: 4,
      agent_credentials: 2,
      ai_policy: 0,
      audit_logging: 1,
      human_oversight: 2,
      process_docs: 3,
      success_metrics: 1,
      sponsorship: 4,
      skills: 2,
    });
    expect(r.score).toBe(54);
    expect(r.level).toBe("emerging");
    expect(r.categoryScores).toEqual({
      data: 50,
      integration: 75,
      governance: 25,
      process: 50,
      people: 75,
    });
    expect(r.recommendations.map((x) => [x.category, x.priority])).toEqual([
      ["governance", "high"],
      ["data", "medium"],
      ["process", "medium"],
    ]);
  });

  it("property: the score is 0..100, the level matches it, and raising an answer never lowers it", () => {
    fc.assert(
      fc.property(answersArb, fc.constantFrom(...QUESTION_IDS), (a, q) => {
        const r = scoreAudit(a);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(100);
        expect(r.level).toBe(levelFor(r.score));
        expect(r.recommendations.length).toBeGreaterThan(0);
        if (a[q]! < 4)
          expect(scoreAudit({ ...a, [q]: a[q]! + 1 }).score).toBeGreaterThanOrEqual(r.score);
      }),
      { numRuns: 300 },
    );
  });

  it("property: the answers schema accepts exactly complete 0..4 integer answers", () => {
    fc.assert(
      fc.property(answersArb, (a) => {
        expect(answersSchema.safeParse(a).success).toBe(true);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(
        answersArb,
        fc.constantFrom(...QUESTION_IDS),
        fc.oneof(
          fc.integer({ min: 5 }),
          fc.integer({ max: -1 }),
          fc.double({ min: 0.1, max: 3.9, noInteger: true }),
        ),
        (a, q, bad) => {
          expect(answersSchema.safeParse({ ...a, [q]: bad }).success).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("migrations", () => {
  async function freshDatabase(): Promise<string> {
    const url = new URL(inject("pgUrl"));
    const name = `mig_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    url.pathname = `/${name}`;
    return url.toString();
  }
  const logger = createLogger("silent");

  it("applies every migration once, even with several instances starting together", async () => {
    const url = await freshDatabase();
    const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: url, max: 2 }));
    try {
      const applied = await Promise.all(pools.map((p) => runMigrations(p, logger)));
      expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.id));
      const { rows } = await pools[0]!.query("SELECT id, name FROM schema_migrations ORDER BY id");
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
      expect(await runMigrations(pools[0]!, logger)).toEqual([]);
      const ext = await pools[0]!.query("SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto'");
      expect(ext.rowCount).toBe(1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("installs the vector extension exactly where the server offers it", async () => {
    const url = await freshDatabase();
    const pool = new pg.Pool({ connectionString: url });
    try {
      await runMigrations(pool, logger);
      const { rows } = await pool.query<{ available: boolean; installed: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available,
                EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed`,
      );
      expect(rows[0]!.installed).toBe(rows[0]!.available);
      const names = MIGRATIONS.map((m) => m.name);
      expect(names).toContain("enable_vector_where_available");
    } finally {
      await pool.end();
    }
  });

  it("refuses to run when an applied migration was edited", async () => {
    const url = await freshDatabase();
    const pool = new pg.Pool({ connectionString: url });
    try {
      await runMigrations(pool, logger);
      const edited = MIGRATIONS.map((m) => (m.id === 1 ? { ...m, sql: m.sql + "\n-- edited" } : m));
      await expect(runMigrations(pool, logger, edited)).rejects.toThrow(
        /changed after it was applied/,
      );
    } finally {
      await pool.end();
    }
  });

  it("rolls back a failing migration as a whole", async () => {
    const url = await freshDatabase();
    const pool = new pg.Pool({ connectionString: url });
    try {
      const bad = [
        ...MIGRATIONS,
        { id: 99, name: "broken", sql: "CREATE TABLE half_done (id int); SELECT nope();" },
      ];
      await expect(runMigrations(pool, logger, bad)).rejects.toThrow();
      const t = await pool.query("SELECT to_regclass('half_done') AS t");
      expect(t.rows[0].t).toBeNull();
      const { rows } = await pool.query("SELECT max(id)::int AS id FROM schema_migrations");
      expect(rows[0].id).toBe(MIGRATIONS.at(-1)!.id);
    } finally {
      await pool.end();
    }
  });
});
