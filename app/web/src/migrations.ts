import { createHash } from "node:crypto";
import type pg from "pg";
import type { Logger } from "./logger";

// An ordered list of SQL migrations, applied under a PostgreSQL advisory lock so that several
// instances (or serverless cold starts) starting together apply each migration exactly once.
// A migration is never edited after it ships: its checksum is recorded and checked.
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "create_audits",
    sql: `
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE audits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL,
  organization text NOT NULL CHECK (char_length(organization) BETWEEN 1 AND 200),
  email_encrypted bytea,
  answers jsonb NOT NULL,
  score smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  level text NOT NULL,
  category_scores jsonb NOT NULL,
  recommendations jsonb NOT NULL,
  questionnaire_version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audits_session_id_idx ON audits (session_id);
`,
  },
  {
    id: 2,
    name: "create_audit_reports",
    sql: `
CREATE TABLE audit_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  audit_id uuid NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
  object_key text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_reports_audit_id_idx ON audit_reports (audit_id);
`,
  },
  {
    // pgvector is what a future chat feature's embeddings would need (docs/decisions/0011).
    // PlanetScale Postgres offers it; servers without it (the Debian PostgreSQL and PGlite used
    // for tests and dev) skip it, so the rule is "installed wherever it is available".
    id: 3,
    name: "enable_vector_where_available",
    sql: `
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    CREATE EXTENSION IF NOT EXISTS vector;
  END IF;
END
$$;
`,
  },
  {
    // Session recovery looks audits up by their contact email without decrypting any: an
    // HMAC-SHA256 of the normalised address (keyed from DATA_KEY, see src/mail-tokens.ts) is
    // stored beside the ciphertext. Rows from before this migration stay NULL (not recoverable)
    // unless a backfill job that holds DATA_KEY decrypts and hashes them (docs/app.md).
    id: 4,
    name: "add_audits_email_hmac",
    sql: `
ALTER TABLE audits ADD COLUMN email_hmac bytea;
CREATE INDEX audits_email_hmac_idx ON audits (email_hmac) WHERE email_hmac IS NOT NULL;
`,
  },
];

// 0x41524157 = "ARAW": an arbitrary constant shared by every instance of this app.
const LOCK_KEY = 0x41524157;

const checksum = (sql: string) => createHash("sha256").update(sql).digest("hex");

export async function runMigrations(
  pool: pg.Pool,
  logger: Logger,
  migrations: Migration[] = MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        id integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ id: number; checksum: string }>(
        "SELECT id, checksum FROM schema_migrations ORDER BY id",
      );
      const done = new Map(rows.map((r) => [r.id, r.checksum]));
      for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
        const sum = checksum(m.sql);
        const previous = done.get(m.id);
        if (previous !== undefined) {
          if (previous !== sum) {
            throw new Error(
              `Migration ${m.id} (${m.name}) changed after it was applied; add a new migration instead of editing it`,
            );
          }
          continue;
        }
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query(
            "INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, $2, $3)",
            [m.id, m.name, sum],
          );
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK");
          throw err;
        }
        applied.push(m.id);
        logger.info({ migration: m.id, name: m.name }, "applied migration");
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return applied;
}
