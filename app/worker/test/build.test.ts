import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../build.mjs";

// The web app's tests and `npm run dev` load dist/index.js while `npm test` or another run
// rebuilds it: a build must never expose a missing or half-written bundle.
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

// Reads and hashes both bundles in a loop until stdin closes, then reports what it saw.
const WATCHER = `
const fs = require("node:fs"), crypto = require("node:crypto");
const expected = JSON.parse(process.argv[1]);
let reads = 0, stop = false;
const problems = [];
process.stdin.on("end", () => (stop = true)).resume();
(function loop() {
  for (const [file, hash] of Object.entries(expected)) {
    try {
      const got = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
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

describe("build.mjs replaces the bundles atomically", () => {
  let outdir: string;
  const expected: Record<string, string> = {};
  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), "ara-worker-build-"));
    for (const file of Object.values(await build(outdir)))
      expected[file] = sha(await readFile(file));
  });
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  it("a process reading the bundles during rebuilds never sees one missing or partial", async () => {
    const watcher = spawn(process.execPath, ["-e", WATCHER, JSON.stringify(expected)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    watcher.stdout!.on("data", (d) => (out += d));
    const exited = new Promise((r) => watcher.once("exit", r));
    try {
      for (let i = 0; i < 10; i++) await Promise.all([build(outdir), build(outdir)]);
    } finally {
      watcher.stdin!.end();
      await exited;
    }
    const seen = JSON.parse(out) as { reads: number; problems: string[] };
    expect(seen.problems).toEqual([]);
    expect(seen.reads).toBeGreaterThan(100);
    // No temporary files are left next to the bundles.
    expect((await readdir(outdir)).sort()).toEqual(["index.js", "replicator.js"]);
  }, 60_000);
});
