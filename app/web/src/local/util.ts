import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Helpers shared by the local service starters (tests, benchmark, `npm run dev`). Everything
// listens on 127.0.0.1 only, on free ports.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function findOnPath(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...extraDirs];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

// The repository root: the first ancestor of this file (source or bundle) holding app/worker.
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "app", "worker", "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the repository root (a directory with app/worker)");
    dir = parent;
  }
}

export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  child?: ChildProcess,
  output?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `${what} exited with code ${child.exitCode} before it was ready:\n${output?.() ?? ""}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${output?.() ?? ""}`);
}

export function run(
  cmd: string,
  args: string[],
  opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    // "close", not "exit": exit can fire before the last of stdout is read, and a command
    // whose output is the answer (`id -u postgres`) would then answer "".
    child.on("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${path.basename(cmd)} failed (exit ${code}):\n${out}`)),
    );
  });
}

// Kill leftover children if the parent dies without cleaning up (a crashed test worker).
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
export function track(child: ChildProcess): void {
  children.add(child);
  child.on("exit", () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
}

export function waitExit(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Whether something already listens on host:port. Checked before the slow part of a start, so
// a busy port is reported in a second rather than after PGlite is up.
export async function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "EADDRINUSE" ? resolve(true) : reject(err),
    );
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(false)));
  });
}

// The first free port after `port`, to suggest in a message.
export async function nextFreePort(port: number, host: string): Promise<number> {
  for (let p = port + 1; p < Math.min(port + 100, 65536); p++) {
    if (!(await portInUse(p, host).catch(() => true))) return p;
  }
  return freePort();
}
