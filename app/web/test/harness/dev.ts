import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../src/local/util";

export interface DevServer {
  base: string;
  output: () => string;
  stop(): Promise<void>;
}

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

// Starts the real `npm run dev` launcher (dist/dev.js) with its data in a temp dir.
export async function startDevServer(env: Record<string, string> = {}): Promise<DevServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ara-dev-"));
  const child = spawnDev(env, port, dataDir);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 40_000;
  while (!out.includes("ARA dev server ready")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dev server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
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
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  await rm(dataDir, { recursive: true, force: true });
  return { code, stdout, stderr };
}
