import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../offline/engine";
import { selfSignedCertificate, startTlsProxy, type TlsProxy } from "./tls-proxy";

const exec = promisify(execFile);

// The web workspace's own launcher harness and signer, loaded by path: they are ES modules of
// another tsconfig (app/web), which this project's type check must not compile as its own.
interface DevServer {
  base: string;
  stop(): Promise<void>;
}
interface LocalSigner {
  url: string;
  token: string;
  dispose(): Promise<void>;
}
const web = (file: string) => import(path.join(ROOT, "app", "web", file));
const startDevServer = async (env: Record<string, string>): Promise<DevServer> =>
  (await web("test/harness/dev.ts")).startDevServer(env);
const startSigner = async (o: { token: string; signingKey: string }): Promise<LocalSigner> =>
  (await web("src/local/signer.ts")).startSigner(o);

/** Runs `npm run verify -- ...` as the deploy workflow does: the same bin, a fresh process. */
async function verify(args: string[]) {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(ROOT, "scripts", "verify", "bin.js"), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
}

/**
 * The real app (the `npm run dev` launcher: PGlite, redis-server) and the real signer worker
 * in Miniflare, started here so the test can stop the signer; TLS proxies stand in for
 * Cloudflare's edge on both hosts.
 */
describe("npm run verify against the app and the signer served locally", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ara-verify-"));
  const cert = selfSignedCertificate(dir);
  let signer: LocalSigner;
  let app: DevServer;
  let appTls: TlsProxy;
  let apiTls: TlsProxy;
  let appNoHsts: TlsProxy;
  const https = () => [
    "--stack",
    "dev",
    "--base-url",
    appTls.url,
    "--api-url",
    apiTls.url,
    "--ca-file",
    cert.certFile,
  ];

  beforeAll(async () => {
    signer = await startSigner({
      token: randomBytes(24).toString("base64url"),
      signingKey: randomBytes(32).toString("base64url"),
    });
    app = await startDevServer({
      SIGNER_URL: signer.url,
      SIGNER_TOKEN: signer.token,
      ARA_DEV_MEMORY: "1",
      ARA_DEV_LOG: "json",
    });
    [appTls, apiTls, appNoHsts] = await Promise.all([
      startTlsProxy(app.base, cert, { hsts: true }),
      startTlsProxy(signer.url, cert, { hsts: true }),
      startTlsProxy(app.base, cert, { hsts: false }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([appTls?.close(), apiTls?.close(), appNoHsts?.close()]);
    await app?.stop();
    await signer?.dispose().catch(() => undefined);
  });

  it("passes every check over HTTPS, including the PDF round trip", async () => {
    const r = await verify([...https(), "--json", "--deadline", "30"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    const byName = Object.fromEntries(doc.checks.map((c: any) => [c.name, c]));
    expect(Object.keys(byName)).toEqual([
      "app /api/health",
      "app /api/ready",
      "api /r2/health",
      "app TLS ≥ 1.2",
      "app HSTS",
      "api TLS ≥ 1.2",
      "api HSTS",
      "app security headers",
      "round trip: session → audit → report → download",
    ]);
    for (const c of doc.checks) expect(c.status, `${c.name}: ${c.detail}`).toBe("pass");
    expect(byName["app TLS ≥ 1.2"].detail).toMatch(/^TLSv1\.[23]$/);
    expect(byName["round trip: session → audit → report → download"].detail).toMatch(
      /a \d+-byte PDF/,
    );
  });

  it("prints a table and skips TLS and HSTS only for plain http:// URLs", async () => {
    const r = await verify(["--stack", "dev", "--base-url", app.base, "--api-url", signer.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SKIP {2}app TLS ≥ 1\.2 +http:\/\/127\.0\.0\.1:\d+ is plain HTTP$/m);
    expect(r.stdout).toMatch(/^PASS {2}round trip/m);
  });

  it("refuses a certificate it was not told to trust", async () => {
    const args = https().slice(0, -2);
    const r = await verify([...args, "--deadline", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /verify failed: app \/api\/health: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted/,
    );
  });

  it("fails, naming HSTS, when the app's host sends no Strict-Transport-Security", async () => {
    const args = https();
    args[3] = appNoHsts.url;
    const r = await verify([...args, "--deadline", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^verify failed: app HSTS: 127\.0\.0\.1:\d+ sends no Strict-Transport-Security header; the zone's HSTS setting/m,
    );
    expect(r.stdout).toMatch(/^PASS {2}api HSTS/m);
  });

  // Last: it stops the signer for good.
  it("fails, naming the signer, when the signer is down: /api/ready answers 503", async () => {
    await signer.dispose();
    const r = await verify([...https(), "--deadline", "3"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^verify failed: app \/api\/ready: GET \/api\/ready answered 503: Unavailable: signer\. Look at the signer's \/r2\/health/m,
    );
    expect(r.stderr).toMatch(
      /^verify failed: api \/r2\/health: GET \/r2\/health \(the signer\) answered 521/m,
    );
    expect(r.stdout).toMatch(/^PASS {2}app \/api\/health/m);
  });
});

describe("npm run verify usage", () => {
  it("exits 2 without --stack, and for a stack with no settings file", async () => {
    const none = await verify([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--stack is required");
    const unknown = await verify(["--stack", "qa"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("there is no Pulumi.qa.yaml");
  });

  it("exits 1 naming the host when nothing answers", async () => {
    const r = await verify([
      "--stack",
      "dev",
      "--base-url",
      "http://127.0.0.1:9",
      "--api-url",
      "http://127.0.0.1:9",
      "--deadline",
      "1",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "verify failed: app /api/health: nothing answers at http://127.0.0.1:9 (connection refused)",
    );
  });
});
