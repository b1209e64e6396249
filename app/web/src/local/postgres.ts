import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { findOnPath, freePort, run, track, waitExit, waitFor } from "./util";

export interface LocalPostgres {
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "install the PostgreSQL server and its contrib modules: `apt-get install -y postgresql postgresql-contrib`";

function pgBinDirs(): string[] {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(base, v, "bin"));
}

export function findPostgresBinaries(): { initdb: string; postgres: string } {
  const dirs = pgBinDirs();
  const initdb = findOnPath("initdb", dirs);
  const postgres = findOnPath("postgres", dirs);
  if (!initdb || !postgres) {
    throw new Error(
      `PostgreSQL server binaries (${[!initdb && "initdb", !postgres && "postgres"].filter(Boolean).join(", ")}) were not found on PATH or under /usr/lib/postgresql/*/bin; ${INSTALL_HINT}`,
    );
  }
  return { initdb, postgres };
}

// PostgreSQL refuses to run as root. When we are root (this machine, CI), run it as the
// Debian "postgres" user, or "nobody" when that user does not exist.
async function unprivilegedUser(): Promise<{ uid: number; gid: number } | undefined> {
  // os.userInfo() asks the OS, so a test runner that wraps or stubs `process` cannot hide root.
  const root = process.geteuid?.() === 0 || process.getuid?.() === 0 || os.userInfo().uid === 0;
  if (!root) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = (await run("id", ["-u", name])).trim();
      const gid = (await run("id", ["-g", name])).trim();
      // Number("") is 0, which would be root again: accept only real, non-root ids.
      if (/^\d+$/.test(uid) && /^\d+$/.test(gid) && Number(uid) !== 0)
        return { uid: Number(uid), gid: Number(gid) };
    } catch {
      // try the next one
    }
  }
  throw new Error(
    "running as root and neither the 'postgres' nor the 'nobody' user exists; create one",
  );
}

export async function startPostgres(options: { database?: string } = {}): Promise<LocalPostgres> {
  const { initdb, postgres } = findPostgresBinaries();
  const user = await unprivilegedUser();
  const root = await mkdtemp(path.join(os.tmpdir(), "ara-pg-"));
  const dataDir = path.join(root, "data");
  const password = randomBytes(16).toString("hex");
  const pwfile = path.join(root, "pwfile");
  await writeFile(pwfile, password + "\n", { mode: 0o600 });
  if (user) {
    chownSync(root, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  await run(
    initdb,
    [
      "-D",
      dataDir,
      "-U",
      "ara",
      "--auth=scram-sha-256",
      `--pwfile=${pwfile}`,
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ],
    { ...user, env, cwd: root },
  );
  const port = await freePort();
  let output = "";
  const child = spawn(
    postgres,
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-h",
      "127.0.0.1",
      "-k",
      root,
      // Throwaway test data: durability settings off for speed.
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=200",
      "-c",
      "shared_buffers=64MB",
    ],
    { ...user, env, cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  track(child);
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-8000)));

  const database = options.database ?? "ara";
  const adminUrl = `postgres://ara:${password}@127.0.0.1:${port}/postgres`;
  await waitFor(
    "postgres",
    async () => {
      const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    20_000,
    child,
    () => output,
  );
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      "SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto'",
    );
    if (rows.length === 0)
      throw new Error(`the pgcrypto extension is not available; ${INSTALL_HINT}`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://ara:${password}@127.0.0.1:${port}/${database}`,
    port,
    password,
    async stop() {
      child.kill("SIGINT"); // fast shutdown
      await waitExit(child);
      await rm(root, { recursive: true, force: true });
    },
  };
}
