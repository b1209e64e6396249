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

// Starts the real `npm run dev` launcher (dist/dev.js) with its data in a temp dir.
export async function startDevServer(env: Record<string, string> = {}): Promise<DevServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ara-dev-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.resolve(import.meta.dirname, "../../dist/dev.js")],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        PORT: String(port),
        ARA_DEV_DATA_DIR: dataDir,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
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
