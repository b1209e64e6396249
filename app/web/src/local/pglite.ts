import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type pg from "pg";

// PGlite (PostgreSQL compiled to WebAssembly, with pgcrypto) for `npm run dev`.
//
// Creating a database runs initdb inside WebAssembly: 8-40 s depending on the machine and its
// load, most of a first start. A fresh cluster is the same on every machine for a given PGlite
// version, so the first one made is kept as a snapshot (a tar.gz of the data directory) in
// `cacheDir`. Later databases (a new or deleted data directory, ARA_DEV_MEMORY=1, the tests)
// are unpacked from it in 2-4 s. A data directory that already holds a database is opened as is.

export type PgliteSource = "existing" | "snapshot" | "initdb";

export interface DevPglite {
  poolConfig: pg.PoolConfig;
  // Where the database came from, for the progress line and the tests.
  source: PgliteSource;
  snapshot: string;
  close(): Promise<void>;
}

export interface PgliteOptions {
  // The data directory; undefined keeps the database in memory.
  dir?: string;
  cacheDir: string;
  progress: (msg: string) => void;
}

function pgliteVersion(): string {
  // The package's exports do not include package.json: walk up from its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite" && pkg.version) return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find @electric-sql/pglite's package.json");
    dir = parent;
  }
}

export function snapshotPath(cacheDir: string): string {
  return path.join(cacheDir, `pglite-${pgliteVersion()}-pgcrypto.tar.gz`);
}

const GZIP = "application/x-gzip"; // PGlite picks the decompressor by the blob's type

export async function startPglite(options: PgliteOptions): Promise<DevPglite> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pgcrypto } = await import("@electric-sql/pglite/contrib/pgcrypto");
  const { createPgConfig } = await import("@electric-sql/pglite/node-postgres");
  const extensions = { pgcrypto };
  const where = options.dir ?? "memory://";
  const snapshot = snapshotPath(options.cacheDir);

  let source: PgliteSource;
  let pglite: InstanceType<typeof PGlite> | undefined;
  if (options.dir && existsSync(path.join(options.dir, "PG_VERSION"))) {
    source = "existing";
    options.progress(`postgres: opening the PGlite database in ${options.dir}`);
    try {
      pglite = await PGlite.create(options.dir, { extensions });
    } catch (err) {
      throw new Error(
        `PGlite could not open ${options.dir} (${err instanceof Error ? err.message : String(err)}); ` +
          `if an earlier start was interrupted, delete it (rm -rf ${options.dir}) and start again`,
      );
    }
  } else {
    let blob: Blob | undefined;
    if (existsSync(snapshot)) {
      source = "snapshot";
      options.progress(`postgres: creating the PGlite database from the snapshot ${snapshot}`);
      blob = new Blob([await readFile(snapshot)], { type: GZIP });
    } else {
      source = "initdb";
      options.progress(
        "postgres: creating the PGlite database with initdb (first start on this machine: " +
          "10-40 s; later starts reuse it)",
      );
      // initdb runs in memory: an interrupted first start leaves no half-made data directory.
      const fresh = await PGlite.create("memory://", { extensions });
      blob = await fresh.dumpDataDir("gzip");
      await saveSnapshot(snapshot, blob).catch((err: unknown) =>
        options.progress(
          `postgres: could not keep the snapshot in ${snapshot} (${String(err)}); the next new database will run initdb again`,
        ),
      );
      if (options.dir) await fresh.close();
      else pglite = fresh;
    }
    if (options.dir) await mkdir(options.dir, { recursive: true });
    pglite ??= await PGlite.create(where, { extensions, loadDataDir: blob });
  }
  const db = pglite;
  return {
    poolConfig: createPgConfig(db) as unknown as pg.PoolConfig,
    source,
    snapshot,
    close: () => db.close(),
  };
}

// Written under a private name and renamed: two first starts at once (a test run and a developer)
// must not read each other's half-written file.
async function saveSnapshot(file: string, blob: Blob): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, new Uint8Array(await blob.arrayBuffer()));
  await rename(tmp, file);
}
