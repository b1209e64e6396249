import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderPage } from "../src/page";
import { freePort } from "../src/local/util";
import { Client, answers, testEnv } from "./harness/app";

// The artifacts that ship: dist/server.js (Node) and .vercel/output (Vercel, deployed by Pulumi
// as-is). Global setup rebuilt both from the current source.
const webDir = path.resolve(import.meta.dirname, "..");
const output = path.join(webDir, ".vercel", "output");

async function fullFlow(base: string) {
  const c = new Client(base);
  expect((await c.request("GET", "/api/health")).body).toEqual({ status: "ok" });
  expect((await c.request("GET", "/api/ready")).status).toBe(200);
  expect((await c.startSession()).status).toBe(201);
  const audit = await c.request("POST", "/api/audits", {
    json: { organization: "Artifact Inc", email: "a@artifact.example", answers: answers(3) },
  });
  expect(audit.status).toBe(201);
  expect((await c.request("GET", `/api/audits/${audit.body.id}`)).body.organization).toBe(
    "Artifact Inc",
  );
  const report = await c.request("POST", `/api/audits/${audit.body.id}/report`);
  expect(report.status).toBe(201);
  const pdf = await fetch(report.body.downloadUrl);
  expect(
    Buffer.from(await pdf.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe("%PDF-");
}

describe("Vercel Build Output API v3 artifact", () => {
  it("has config.json v3 routing /api/* to one Node.js function and the page as static/index.html", async () => {
    const config = JSON.parse(await readFile(path.join(output, "config.json"), "utf8"));
    expect(config.version).toBe(3);
    expect(config.routes).toContainEqual({ handle: "filesystem" });
    expect(config.routes).toContainEqual({ src: "^/api/(.*)$", dest: "/api" });
    const vc = JSON.parse(
      await readFile(path.join(output, "functions/api.func/.vc-config.json"), "utf8"),
    );
    expect(vc).toEqual({ runtime: "nodejs20.x", handler: "index.mjs", launcherType: "Nodejs" });
    const html = await readFile(path.join(output, "static/index.html"), "utf8");
    const page = renderPage();
    expect(html).toBe(page.html);
    expect(config.routes[0].headers["content-security-policy"]).toBe(page.csp);
  });

  it("the build is deterministic: a second build elsewhere produces the identical tree", async () => {
    const { buildAll, digestTree } = (await import(path.join(webDir, "build.mjs"))) as {
      buildAll: (o: { outRoot: string }) => Promise<{ digest: string }>;
      digestTree: (d: string) => Promise<string>;
    };
    // Global setup built `output` in the repository; a build into another directory, at another
    // time, must not differ by a byte (no paths, dates or ordering baked in).
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), "ara-build-"));
    try {
      const { digest } = await buildAll({ outRoot: elsewhere });
      expect(digest).toBe(await digestTree(output));
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  let server: Server | undefined;
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("the function bundle itself serves the whole flow behind a Node http server", async () => {
    // Vercel's launcher calls the default export as (req, res); do the same, with the
    // environment Pulumi sets on the project.
    const env = testEnv({ LOG_LEVEL: "warn" });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let handler: (req: unknown, res: unknown) => void;
    try {
      handler = (await import(path.join(output, "functions/api.func/index.mjs"))).default;
    } finally {
      process.env = saved;
    }
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    await fullFlow(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
});

describe("Node server bundle", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  it("node dist/server.js migrates, serves the page and the API on PORT", async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? "",
      ...testEnv({ PORT: String(port), HOST: "127.0.0.1" }),
    };
    child = spawn(process.execPath, [path.join(webDir, "dist/server.js")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(base + "/api/health").then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await fetch(base + "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'sha256-");
    expect(await page.text()).toContain("Agent Readiness Audit");
    await fullFlow(base);
    // Logs are buffered on the Node server and flushed on a clean shutdown.
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    expect(out).toContain('"msg":"ara-web listening"');
    expect(out).toContain('"route":"/api/audits/:id/report","status":201');
    expect(out).toContain('"msg":"shutting down"');
  });
});
