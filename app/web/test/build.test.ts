import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm run dev`, `npm test` and a second test run each rebuild app/web while the others run
// the files. A build must never leave a moment where an output is missing or half written.
const webDir = path.resolve(import.meta.dirname, "..");
type Build = (o: { outRoot: string }) => Promise<{ digest: string }>;
const { buildAll, buildDev } = (await import(path.join(webDir, "build.mjs"))) as {
  buildAll: Build;
  buildDev: (o: { outRoot: string }) => Promise<void>;
};

const WATCHED = ["dist/dev.js", "dist/server.js", "dist/local.js", ".vercel/output/config.json"];
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

// A separate process that reads and hashes every watched file in a loop until stdin closes,
// then prints what it saw: how many reads, and every read that was not the expected file.
const WATCHER = `
const fs = require("node:fs"), crypto = require("node:crypto"), path = require("node:path");
const [root, expected] = [process.argv[1], JSON.parse(process.argv[2])];
let reads = 0, stop = false;
const problems = [];
process.stdin.on("end", () => (stop = true)).resume();
(function loop() {
  for (const [file, hash] of Object.entries(expected)) {
    try {
      fs.statSync(path.join(root, file));
      const got = crypto.createHash("sha256").update(fs.readFileSync(path.join(root, file))).digest("hex");
      if (got !== hash) problems.push(file + ": different bytes (partly written?)");
    } catch (err) {
      problems.push(file + ": " + err.code);
    }
    reads++;
  }
  if (stop) process.stdout.write(JSON.stringify({ reads, problems: problems.slice(0, 20) }));
  else setImmediate(loop);
})();
`;

describe("build.mjs replaces its outputs atomically", () => {
  let outRoot: string;
  const expected: Record<string, string> = {};
  beforeAll(async () => {
    outRoot = await mkdtemp(path.join(os.tmpdir(), "ara-build-atomic-"));
    await buildAll({ outRoot });
    for (const f of WATCHED) expected[f] = sha(await readFile(path.join(outRoot, f)));
  }, 120_000);
  afterAll(() => rm(outRoot, { recursive: true, force: true }));

  it("a process reading the outputs during rebuilds never finds one missing or partial", async () => {
    const watcher = spawn(process.execPath, ["-e", WATCHER, outRoot, JSON.stringify(expected)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    watcher.stdout!.on("data", (d) => (out += d));
    const exited = new Promise((r) => watcher.once("exit", r));
    try {
      // Three at once over the outputs beforeAll built: two test runs and `npm run dev` (--dev).
      const [a, b] = await Promise.all([
        buildAll({ outRoot }),
        buildAll({ outRoot }),
        buildDev({ outRoot }),
      ]);
      expect(a.digest).toBe(b.digest);
    } finally {
      watcher.stdin!.end();
      await exited;
    }
    const seen = JSON.parse(out) as { reads: number; problems: string[] };
    expect(seen.problems).toEqual([]);
    expect(seen.reads).toBeGreaterThan(WATCHED.length * 10);
  }, 120_000);

  it("removes outputs the build no longer produces and leaves no staging files", async () => {
    await writeFile(path.join(outRoot, "dist", "renamed-away.js"), "stale");
    await buildAll({ outRoot });
    await expect(readFile(path.join(outRoot, "dist", "renamed-away.js"))).rejects.toThrow(/ENOENT/);
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(path.join(outRoot, ".vercel", "staging"))).toEqual([]);
  }, 120_000);
});
