import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startPostgres } from "../../src/local/postgres";
import { startRedisServer } from "../../src/local/redis-server";
import { startSigner, workerPaths } from "../../src/local/signer";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
    redisUrl: string;
    signerUrl: string;
    signerToken: string;
  }
}

const webDir = path.resolve(import.meta.dirname, "../..");

function sh(cmd: string, args: string[], cwd: string, what: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${what} failed:\n${r.stdout}\n${r.stderr}`);
}

// One PostgreSQL, one Redis and one signer for the whole project; tests that stop a service
// start their own. The artifacts under test (dist/, .vercel/output/) are rebuilt first so the
// tests always exercise the current source.
export default async function setup(project: TestProject) {
  sh(process.execPath, ["build.mjs"], webDir, "building app/web");
  const worker = workerPaths();
  if (!existsSync(worker.script)) sh("npm", ["run", "build"], worker.dir, "building app/worker");

  const [pg, redis, signer] = await Promise.all([
    startPostgres(),
    startRedisServer(),
    startSigner({
      token: randomBytes(24).toString("base64url"),
      signingKey: randomBytes(32).toString("base64url"),
    }),
  ]);
  project.provide("pgUrl", pg.url);
  project.provide("redisUrl", redis.url);
  project.provide("signerUrl", signer.url);
  project.provide("signerToken", signer.token);
  return async () => {
    await Promise.allSettled([pg.stop(), redis.dispose(), signer.dispose()]);
  };
}
