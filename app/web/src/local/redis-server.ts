import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { findOnPath, freePort, track, waitExit, waitFor } from "./util";

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  // Stops the server (SIGTERM: Redis flushes its append-only file) and keeps the data dir.
  stop(): Promise<void>;
  // Starts it again on the same port with the same data dir.
  start(): Promise<void>;
  // Stops it and removes the data dir.
  dispose(): Promise<void>;
}

export const findRedisServer = () => findOnPath("redis-server");

export const REDIS_INSTALL_HINT =
  "install it with `sudo apt-get install redis-server` (Debian, Ubuntu) or `brew install redis` (macOS), " +
  "or point REDIS_URL at a Redis you already run";

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.setTimeout(500);
    s.on("connect", () => s.write("*1\r\n$4\r\nPING\r\n"));
    s.on("data", (d) => {
      resolve(d.toString().startsWith("+PONG"));
      s.destroy();
    });
    s.on("error", () => resolve(false));
    s.on("timeout", () => {
      resolve(false);
      s.destroy();
    });
  });
}

export async function startRedisServer(
  options: { dir?: string; keepDir?: boolean } = {},
): Promise<LocalRedis> {
  const bin = findRedisServer();
  if (!bin) {
    throw new Error(`redis-server was not found on PATH; ${REDIS_INSTALL_HINT}`);
  }
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), "ara-redis-")));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    output = "";
    child = spawn(
      bin,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        // Persistence on the temp dir, so data survives a stop/start as in production. fsync
        // once a second (Redis' default): a clean shutdown (SIGTERM) flushes everything, while
        // fsync on every write would make the benchmark measure the disk.
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
        "--loglevel",
        "warning",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    track(child);
    child.stdout!.on("data", (d) => (output = (output + d).slice(-4000)));
    child.stderr!.on("data", (d) => (output = (output + d).slice(-4000)));
    await waitFor(
      "redis-server",
      () => ping(port),
      10_000,
      child,
      () => output,
    );
  };
  const stop = async () => {
    if (!child) return;
    child.kill("SIGTERM");
    await waitExit(child);
    child = undefined;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start,
    async dispose() {
      await stop();
      if (!options.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
