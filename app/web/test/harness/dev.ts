import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../src/local/util";

export interface DevServer {
  base: string;
  output: () => string;
  stdout: () => string;
  stop(): Promise<void>;
}

// The launcher's last line once it serves; what a person is told to open.
export const READY = "ready: open http://";

const launcher = path.resolve(import.meta.dirname, "../../dist/dev.js");

function spawnDev(env: Record<string, string>, port: number, dataDir: string): ChildProcess {
  return spawn(process.execPath, [launcher], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      ARA_DEV_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

// SIGTERM lets the launcher stop redis-server and workerd; SIGKILL would leave them running.
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

// Starts the real `npm run dev` launcher (dist/dev.js) with its data in a temp dir.
export async function startDevServer(env: Record<string, string> = {}): Promise<DevServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ara-dev-"));
  const child = spawnDev(env, port, dataDir);
  let out = "";
  let stdout = "";
  child.stdout!.on("data", (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on("data", (d) => (out += d));
  // A first start on a new machine runs initdb inside PGlite (up to 40 s on a busy machine).
  const deadline = Date.now() + 90_000;
  while (!out.includes(READY)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await terminate(child);
      throw new Error(`dev server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    stdout: () => stdout,
    async stop() {
      await terminate(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Runs the launcher where it is expected to stop on its own (a missing binary, a busy port) and
// returns how it ended. A launcher that starts serving instead is killed after `timeoutMs`.
export async function runDevUntilExit(
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ara-dev-"));
  const child = spawnDev(env, Number(env.PORT ?? (await freePort())), dataDir);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => void terminate(child), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  await rm(dataDir, { recursive: true, force: true });
  return { code, stdout, stderr };
}
