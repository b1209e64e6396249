// `npm run drill -- cache` end to end: the built app, a real PostgreSQL, redis-server and the
// signer, Redis swapped for an empty server mid-wizard. Then the same drill with the app made
// unreachable right after the swap: it must fail, and stop everything it started either way.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { judgeWindow, type Answer, type CacheDrillReport } from "../../recovery/cache/drill";
import { cacheText, main as drillMain } from "../../scripts/drill/cli";

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");

async function drillCli(args: string[]) {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(ROOT, "scripts", "drill", "bin.js"), ...args],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: String(err.stdout), stderr: String(err.stderr) };
  }
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });

/** Processes whose command line names `port` as an argument (redis-server --port, postgres -p). */
function processesWithPort(port: number): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited while we looked
    }
    if (args.includes(String(port))) found.push(`${pid}: ${args.join(" ")}`);
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Nothing the drill reported starting still runs or listens; Redis' data dir is gone. */
async function expectAllStopped(report: CacheDrillReport) {
  expect(report.services.map((s) => s.name).sort()).toEqual(
    ["PostgreSQL", "app", "redis-server", "signer"].sort(),
  );
  for (const s of report.services) {
    expect(s.stopped, s.name).toBe(true);
    const port = Number(new URL(s.address.includes("//") ? s.address : `x://${s.address}`).port);
    expect(await refused(port), `${s.name} still listens on ${port}`).toBe(true);
    expect(processesWithPort(port), s.name).toEqual([]);
    if (s.pid) expect(alive(s.pid), `${s.name} pid ${s.pid}`).toBe(false);
    if (s.dir) expect(existsSync(s.dir), `${s.name} dir ${s.dir}`).toBe(false);
  }
  expect(report.cleanupErrors).toEqual([]);
}

describe("npm run drill -- cache", () => {
  it("times the app serving again after Redis is swapped for an empty server", async () => {
    // The default path: builds app/web first, as someone running the drill by hand would.
    const run = await drillCli(["cache", "--json"]);
    const report = JSON.parse(run.stdout) as CacheDrillReport;
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([
      ["build and load the app", true],
      ["start PostgreSQL and the signer", true],
      ["start redis-server and the app", true],
      ["start a session mid-wizard", true],
      ["serve again after the swap", true],
      ["new sessions work end to end", true],
    ]);
    // Serving again means the empty server is in place: not before the swap has finished.
    expect(report.swapSeconds).toBeGreaterThan(0);
    expect(report.serveAgainSeconds!).toBeGreaterThanOrEqual(report.swapSeconds!);
    expect(report.rtoSeconds).toBe(300);
    expect(report.withinRto).toBe(true);
    // The old credentials were refused cleanly and a new session was created after the swap.
    expect(report.window.byStatus["401"]).toBeGreaterThanOrEqual(2);
    expect(report.window.byStatus["201"]).toBeGreaterThanOrEqual(1);
    expect(report.window.unreachable).toEqual([]);
    await expectAllStopped(report);
    // A request whose Redis command was in flight at the swap is a 503 with Retry-After, like
    // any request while Redis is away: no 5xx of another kind, so the drill passes.
    expect(run.code, run.stderr).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.window.serverErrors).toEqual([]);
    expect(report.error).toBeUndefined();
    const text = cacheText(report);
    expect(text).toMatch(/^cache drill \(local: .*\): PASSED$/m);
    expect(text).toMatch(/other 5xx: 0; unanswered: 0/);
    expect(text).toMatch(/time to serve again \d+\.\d\d s .* against the 5-minute RTO: within/);
    expect(text.match(/: stopped$/gm)).toHaveLength(4);
  });

  describe("the app is unreachable after the swap", () => {
    afterEach(() => vi.restoreAllMocks());

    it("fails with exit 1, names the step, and stops everything it started", async () => {
      let out = "";
      vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
      vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      let stoppedPid: number | undefined;
      const code = await drillMain(["cache", "--json", "--skip-build"], {
        cache: {
          deadlineMs: 3_000,
          requestTimeoutMs: 500,
          // Frozen, not exited: it keeps its port and answers nothing, like a hung host.
          afterSwap: ({ app }) => {
            stoppedPid = app.pid;
            app.kill("SIGSTOP");
          },
        },
      });
      vi.restoreAllMocks();
      expect(code).toBe(1);
      const report = JSON.parse(out) as CacheDrillReport;
      expect(report.ok).toBe(false);
      const failed = report.steps.find((s) => !s.ok)!;
      expect(failed.name).toBe("serve again after the swap");
      expect(report.error).toMatch(
        /^serve again after the swap: the app did not serve again within 3\.00 s of the swap/,
      );
      expect(report.serveAgainSeconds).toBeNull();
      expect(report.withinRto).toBe(false);
      expect(report.window.unreachable.length).toBeGreaterThan(0);
      expect(report.window.unreachable[0]!.error).toBe("no answer within 500 ms");
      expect(report.services.find((s) => s.name === "app")!.pid).toBe(stoppedPid);
      await expectAllStopped(report);
    });
  });

  it.each([
    [["cache", "--stack", "staging"], /--stack: the cache drill runs on this machine only/],
    [["cache", "--stack=prod"], /--stack: the cache drill runs on this machine only/],
    [["cache", "--fast"], /Unknown option '--fast'/],
  ])("refuses %j with exit 2", async (args, message) => {
    let err = "";
    vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
    try {
      expect(await drillMain(args)).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
    expect(err).toMatch(message);
  });
});

describe("judging the answers from the swap on", () => {
  const a = (atMs: number, status: number | null, extra: Partial<Answer> = {}): Answer => ({
    atMs,
    request: "POST /api/sessions (new)",
    status,
    ...extra,
  });
  const unavailable = { error: "dependency_unavailable", retryAfter: "5" };

  it("a 503 with Retry-After while Redis is away is the designed answer, counted", () => {
    const v = judgeWindow(
      [a(10, 503, unavailable), a(60, 503, unavailable), a(120, 201), a(121, 401)],
      121,
    );
    expect(v).toMatchObject({ ok: true, unavailable: 2, serverErrors: [], unreachable: [] });
    expect(v.byStatus).toEqual({ "503": 2, "201": 1, "401": 1 });
  });

  it("the same 503 after the app served again fails", () => {
    const late = a(200, 503, unavailable);
    expect(judgeWindow([a(120, 201), late], 120)).toMatchObject({
      ok: false,
      unavailable: 0,
      serverErrors: [late],
    });
  });

  it.each([
    ["a 500", a(10, 500, { error: "internal_error" })],
    ["a 503 without Retry-After", a(10, 503, { error: "dependency_unavailable" })],
    ["a 503 for another reason", a(10, 503, { error: "signer_error", retryAfter: "5" })],
    ["a 502", a(10, 502, { error: "signer_error" })],
  ])("%s fails, also before the app served again", (_what, answer) => {
    expect(judgeWindow([answer, a(100, 201)], 100)).toMatchObject({
      ok: false,
      serverErrors: [answer],
    });
  });

  it("a request the app did not answer fails", () => {
    const none = a(10, null, { error: "ECONNREFUSED" });
    expect(judgeWindow([none], null)).toMatchObject({
      ok: false,
      unreachable: [none],
      byStatus: { "no answer": 1 },
    });
  });
});
