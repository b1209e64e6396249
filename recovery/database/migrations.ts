// The migrations the app ships, with the checksums it records in `schema_migrations`.
// app/web is an ES module package and the drill runs under the CommonJS ts-node path the plan
// uses, so the list is compiled from app/web/src/migrations.ts with esbuild (already a
// dependency) instead of being copied: a new migration reaches the drill by itself.
import { createHash } from "node:crypto";
import Module from "node:module";
import * as path from "node:path";
import { buildSync } from "esbuild";
import type { ExpectedMigration } from "./drill";

export const MIGRATIONS_SOURCE = path.resolve(__dirname, "../../app/web/src/migrations.ts");

/** The app's checksum of a migration: sha256 of its SQL, hex (app/web/src/migrations.ts). */
export const migrationChecksum = (sql: string) => createHash("sha256").update(sql).digest("hex");

export function expectedMigrations(
  migrations: Array<{ id: number; name: string; sql: string }>,
): ExpectedMigration[] {
  return migrations.map((m) => ({ id: m.id, name: m.name, checksum: migrationChecksum(m.sql) }));
}

export function loadAppMigrations(): ExpectedMigration[] {
  const out = buildSync({
    entryPoints: [MIGRATIONS_SOURCE],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    external: ["pg"],
    logLevel: "silent",
  });
  const m = new Module(MIGRATIONS_SOURCE) as Module & {
    _compile(code: string, file: string): void;
  };
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    path.dirname(MIGRATIONS_SOURCE),
  );
  m._compile(out.outputFiles[0]!.text, MIGRATIONS_SOURCE);
  const list = (m.exports as { MIGRATIONS?: Array<{ id: number; name: string; sql: string }> })
    .MIGRATIONS;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${MIGRATIONS_SOURCE} exports no MIGRATIONS`);
  }
  return expectedMigrations(list);
}
