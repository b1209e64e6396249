import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../src/local/util";
import { Client, answers, testEnv } from "./harness/app";
import { READY, runDevUntilExit, startDevServer, type DevServer } from "./harness/dev";

// `npm run dev` as a developer runs it: PGlite, redis-server from PATH and the worker under
// Miniflare, all started by the launcher.
describe("npm run dev", () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevServer({ ARA_DEV_MEMORY: "1" });
  }, 120_000);
  afterAll(() => dev?.stop());

  it("logs JSON when stdout is not a terminal: progress for each service, then one ready line", () => {
    const lines = dev
      .stdout()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; level: string });
    const msgs = lines.map((l) => l.msg);
    const at = (re: RegExp) => msgs.findIndex((m) => re.test(m));
    const starting = at(/^starting the signer, redis-server, PGlite \(data in memory\)$/);
    const progress = [
      /^redis ready in \d+\.\d s: redis-server at redis:\/\/127\.0\.0\.1:\d+/,
      /^signer ready in \d+\.\d s: app\/worker under Miniflare/,
      /^postgres: creating the PGlite database (with initdb|from the snapshot)/,
      /^postgres ready in \d+\.\d s: PGlite, a new database/,
      /^up in \d+\.\d s$/,
    ].map(at);
    const ready = msgs.filter((m) => m.startsWith("ready:"));
    expect(starting).toBe(0);
    for (const i of progress) expect(i).toBeGreaterThan(starting);
    expect(ready).toEqual([`ready: open ${dev.base}/`]);
    expect(msgs.at(-1)).toBe(ready[0]);
  });

  it("completes an audit with a PDF report and refresh-token rotation", async () => {
    const c = new Client(dev.base);
    expect((await c.request("GET", "/api/ready")).status).toBe(200);
    const first = await c.startSession();
    const progress = { step: 1, answers: { skills: 3 } };
    expect((await c.request("PUT", "/api/wizard", { json: progress })).body.progress).toEqual(
      progress,
    );
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: "Dev Shop", email: "dev@shop.example", answers: answers(2) },
    });
    expect(audit.status).toBe(201);
    expect((await c.request("GET", `/api/audits/${audit.body.id}`)).body.hasEmail).toBe(true);
    const report = await c.request("POST", `/api/audits/${audit.body.id}/report`);
    expect(report.status).toBe(201);
    const pdf = await fetch(report.body.downloadUrl);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    const rotated = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(rotated.status).toBe(200);
    const reuse = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(reuse.body.error).toBe("refresh_token_reused");
    const newest = await c.request("POST", "/api/sessions/refresh", {
      json: { refreshToken: rotated.body.refreshToken },
    });
    expect(newest.status).toBe(401);
  });
});

describe("npm run dev without redis-server", () => {
  it("stops at once with exit code 1 and says how to install it", async () => {
    const r = await runDevUntilExit({ PATH: "/nonexistent", ARA_DEV_MEMORY: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("redis-server was not found on PATH");
    expect(r.stderr).toContain("sudo apt-get install redis-server");
    expect(r.stderr).toContain("brew install redis");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Before PGlite or the worker: nothing was started only to be thrown away.
    expect(r.stdout).not.toContain("signer:");
    expect(r.stdout).not.toContain("postgres: PGlite");
  });
});

describe("npm run dev on a busy port", () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    taken = createServer();
    await new Promise<void>((r) => taken.listen(port, "127.0.0.1", () => r()));
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it("says in one line which PORT to set, starts nothing and exits 1", async () => {
    const r = await runDevUntilExit({ PORT: String(port), ARA_DEV_MEMORY: "1" });
    expect(r.code).toBe(1);
    const m = /^port (\d+) is in use: .*PORT=(\d+) npm run dev\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBe(port);
    // The suggested port is free.
    const other = createServer();
    await new Promise<void>((res, rej) => {
      other.once("error", rej);
      other.listen(Number(m![2]), "127.0.0.1", () => res());
    });
    await new Promise<void>((res) => other.close(() => res()));
    expect(r.stdout).not.toContain("starting");
  });
});

describe("npm run dev on a terminal", () => {
  // `script` (util-linux) gives the launcher a pseudo-terminal as stdout. The services come from
  // the test setup, so the launcher itself starts nothing and this stays fast.
  it("shows readable lines instead of JSON", async () => {
    const port = await freePort();
    const env = {
      ...testEnv({ PORT: String(port), HOST: "127.0.0.1" }),
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NO_COLOR: "1",
    };
    const launcher = path.resolve(import.meta.dirname, "../dist/dev.js");
    const child = spawn("script", ["-qfec", `exec ${process.execPath} ${launcher}`, "/dev/null"], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise((r) => child.once("exit", r));
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes(READY) && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    const lines = out.split(/\r?\n/).filter(Boolean);
    expect(
      lines.some((l) => l.startsWith("{")),
      out,
    ).toBe(false);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ready: open http://127\\.0\\.0\\.1:${port}/$`),
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d  redis ready$/));
  }, 60_000);
});
