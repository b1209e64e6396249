import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import telemetry from "../../app/web/telemetry.json";
import {
  requiredSettings,
  stackAlerts,
  stackJobs,
  type StackAlert,
} from "../../observability/alerts";
import { ROOT } from "../../offline/engine";

/**
 * The alerts watch what the app really emits: the real app (`npm run dev`'s launcher: PGlite,
 * redis-server, the signer in workerd) is scraped every second by a real Prometheus, traffic
 * including a burst of 5xx (Redis paused) goes through it, and every catalog expression is
 * evaluated through Prometheus's HTTP query API. The Prometheus form of "application down" is
 * `up` of the scrape job (docs/observability.md).
 */
const JOBS = stackJobs("dev");
const ALERTS = stackAlerts(
  { evaluationIntervalSeconds: 60, rules: requiredSettings() },
  "prometheus",
  JOBS,
  "https://runbooks.example",
);
const LAUNCHER = path.join(ROOT, "app/web/dist/dev.js");

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(ok)
        .catch(() => false)
    )
      return;
    await sleep(250);
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s`);
}

async function stop(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM"); // the launcher stops redis-server and workerd itself
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

let app: ChildProcess | undefined;
let prom: ChildProcess | undefined;
let appBase = "";
let promBase = "";
let appLog = "";

async function query(
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: any[] }; error?: string };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

async function hit(route: string, times: number) {
  for (let i = 0; i < times; i++) await fetch(`${appBase}${route}`).then((r) => r.arrayBuffer());
}

beforeAll(async () => {
  if (!existsSync(LAUNCHER))
    throw new Error(`${LAUNCHER} is missing: build the app first (npm run build -w app/web)`);
  const appPort = await freePort();
  appBase = `http://127.0.0.1:${appPort}`;
  app = spawn(process.execPath, [LAUNCHER], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(appPort),
      ARA_DEV_DATA_DIR: mkdtempSync(path.join(tmpdir(), "ara-e2e-dev-")),
      ARA_DEV_LOG: "json",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout!.on("data", (d) => (appLog += d));
  app.stderr!.on("data", (d) => (appLog += d));
  await waitFor("the app's ready line", () => appLog.includes("ready: open http://"), 150_000);

  const dir = mkdtempSync(path.join(tmpdir(), "ara-e2e-prom-"));
  const promPort = await freePort();
  promBase = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    path.join(dir, "prometheus.yml"),
    stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      scrape_configs: [
        {
          job_name: JOBS.appJob,
          metrics_path: "/api/metrics",
          static_configs: [{ targets: [`127.0.0.1:${appPort}`] }],
        },
      ],
    }),
  );
  prom = spawn(
    "prometheus",
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: "ignore" },
  );
  await waitFor(
    "Prometheus's first scrape of the app",
    async () => (await query(`up{job="${JOBS.appJob}"} == 1`)).length > 0,
    60_000,
  );
}, 240_000);

afterAll(async () => {
  await stop(prom);
  await stop(app);
});

describe("the alert expressions against the running app", () => {
  it("find every series telemetry.json promises at /api/metrics", async () => {
    await hit("/api/ready", 5);
    await sleep(2500);
    const names = new Set((await query(`{job="${JOBS.appJob}"}`)).map((r) => r.metric.__name__!));
    for (const i of Object.values(telemetry.instruments)) {
      const expected = i.kind === "histogram" ? `${i.series}_count` : i.series;
      // Web vitals are reported by the page, not by server traffic.
      if (i.series === "ara_web_vitals") continue;
      expect(names, expected).toContain(expected);
    }
  });

  it("cross the error-rate threshold during a burst of 5xx, and every expression returns series", async () => {
    await hit("/api/ready", 30);
    await hit("/api/health", 30);
    // Pause Redis: /api/ready answers 503 while its check times out.
    const redis = spawnSync("pgrep", ["-P", String(app!.pid), "redis-server"], {
      encoding: "utf8",
    }).stdout.trim();
    expect(redis, `redis-server under the launcher:\n${appLog.slice(-2000)}`).toMatch(/^\d+$/);
    // rate() counts only increases it has seen, so the 5xx series must exist before the burst
    // (in a real incident the burst outlasts one scrape): one 503 first, then the burst.
    const burst = async (n: number) => {
      process.kill(Number(redis), "SIGSTOP");
      try {
        await Promise.all(Array.from({ length: n }, () => hit("/api/ready", 1)));
      } finally {
        process.kill(Number(redis), "SIGCONT");
      }
    };
    await burst(1);
    await sleep(2500);
    await burst(6);
    await hit("/api/ready", 5);
    await sleep(3000);

    const values: Record<string, number> = {};
    for (const a of ALERTS) {
      const result = await query(a.value);
      expect(result.length, `${a.id}: ${a.value}`).toBeGreaterThan(0);
      values[a.id] = Number(result[0]!.value[1]);
    }
    const errorRate = ALERTS.find((a) => a.id === "error-rate")!;
    expect(values["error-rate"]).toBeGreaterThan(errorRate.threshold);
    // The full condition fires too: its value is above the threshold, so the vector is non-empty.
    expect((await query(errorRate.expr)).length).toBe(1);
    // The app was up at every scrape: "application down" stays silent.
    expect(values["application-down"]).toBe(0);
    expect((await query(alert("application-down").expr)).length).toBe(0);
    expect(values["database-connections"]).toBeLessThanOrEqual(1);
  }, 120_000);
});

function alert(id: StackAlert["id"]): StackAlert {
  return ALERTS.find((a) => a.id === id)!;
}
