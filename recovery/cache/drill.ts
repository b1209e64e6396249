// The cache drill: the built web app serving a session mid-wizard, then its Redis swapped for an
// empty, fresh redis-server (what an Upstash failover to an empty replica, or a rebuilt cache,
// looks like to the app), timed until the app serves again. Everything runs on this machine:
// a real Upstash failover cannot be triggered from a script, so the figure is a lower bound for
// the 5-minute cache RTO (docs/disaster-recovery.md says where staging figures go).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { DrillStep } from "../database/drill";
import {
  localServices,
  redisSwap,
  SERVER_SCRIPT,
  WEB_DIR,
  type LocalPostgres,
  type LocalServices,
  type LocalSigner,
  type OwnRedis,
  type RedisSwap,
} from "./web";

export const CACHE_RTO_SECONDS = 5 * 60;

export interface CacheDrillOptions {
  /** Build app/web (and app/worker when missing) first, so the drill runs the current source. */
  build?: boolean;
  rtoSeconds?: number;
  /** How long to wait for the app to serve again after the swap; by default the RTO. */
  deadlineMs?: number;
  /** Pause between probe rounds. */
  probeIntervalMs?: number;
  /** A request unanswered for this long counts as the app being unreachable. */
  requestTimeoutMs?: number;
  /** Runs once the empty server has replaced the old one: where tests inject a fault. */
  afterSwap?: (ctx: { app: ChildProcess }) => Promise<void> | void;
  log?: (line: string) => void;
}

export interface Answer {
  /** Milliseconds since the swap began. */
  atMs: number;
  request: string;
  /** null: no answer (connection refused or reset, or no answer within the request timeout). */
  status: number | null;
  /** The app's `error` code, or the network error. */
  error?: string;
  retryAfter?: string;
}

export interface WindowVerdict {
  ok: boolean;
  byStatus: Record<string, number>;
  /** 503 dependency_unavailable with Retry-After before the app served again. */
  unavailable: number;
  /** Every other 5xx, and any 5xx after the app served again. */
  serverErrors: Answer[];
  unreachable: Answer[];
}

export interface CacheDrillReport {
  kind: "cache";
  mode: "local";
  ok: boolean;
  steps: DrillStep[];
  /** From stopping the old server to the empty one answering PING. */
  swapSeconds: number | null;
  /** From stopping the old server to the first probe round that passed. */
  serveAgainSeconds: number | null;
  rtoSeconds: number;
  withinRto: boolean;
  window: WindowVerdict & { rounds: number; answers: number };
  services: Array<{ name: string; address: string; pid?: number; dir?: string; stopped: boolean }>;
  cleanupErrors: string[];
  error?: string;
}

/**
 * Judges every answer the probes got from the start of the swap to the end of the drill. A 503
 * `dependency_unavailable` with Retry-After is the app's designed answer while Redis is away
 * (app/web/src/redis.ts fails fast instead of queueing): it is what the measured time counts,
 * not a failure. Any other 5xx (a 500 from a request that met the empty cache, say), any 5xx
 * once the app served again, and any request the app did not answer fail the drill.
 */
export function judgeWindow(answers: Answer[], servedAtMs: number | null): WindowVerdict {
  const byStatus: Record<string, number> = {};
  let unavailable = 0;
  const serverErrors: Answer[] = [];
  const unreachable: Answer[] = [];
  for (const a of answers) {
    const key = a.status === null ? "no answer" : String(a.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (a.status === null) unreachable.push(a);
    else if (a.status >= 500) {
      const designed =
        a.status === 503 && a.error === "dependency_unavailable" && a.retryAfter !== undefined;
      const beforeServing = servedAtMs === null || a.atMs < servedAtMs;
      if (designed && beforeServing) unavailable++;
      else serverErrors.push(a);
    }
  }
  return {
    ok: serverErrors.length === 0 && unreachable.length === 0,
    byStatus,
    unavailable,
    serverErrors,
    unreachable,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const tail = (s: string, n = 1500) => (s.length > n ? `…${s.slice(-n)}` : s);

class StepError extends Error {}

interface RunningApp {
  base: string;
  child: ChildProcess;
  output(): string;
  close(): Promise<void>;
}

/** `node app/web/dist/server.js`, as production runs it, on a free loopback port. */
async function startBuiltApp(
  env: Record<string, string>,
  port: number,
  requestTimeoutMs: number,
): Promise<RunningApp> {
  const child = spawn(process.execPath, [SERVER_SCRIPT], {
    env: { PATH: process.env.PATH ?? "", ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Should this process die before cleanup runs, the app must not outlive it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + d).slice(-8000)));
  child.stderr!.on("data", (d) => (out = (out + d).slice(-8000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const app: RunningApp = {
    base: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async close() {
      if (running()) {
        // A stopped (SIGSTOP) app acts on SIGTERM only once continued.
        child.kill("SIGCONT");
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", killOnExit);
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running()) {
      await app.close();
      throw new StepError(
        `the app exited (${child.exitCode ?? child.signalCode}) before it served:\n${tail(out)}`,
      );
    }
    const res = await fetch(`${app.base}/api/ready`, {
      signal: AbortSignal.timeout(requestTimeoutMs),
    }).catch(() => undefined);
    if (res?.status === 200) return app;
    if (Date.now() > deadline) {
      await app.close();
      throw new StepError(
        `the app did not answer 200 on /api/ready within 30 s (last: ${res?.status ?? "no answer"}):\n${tail(out)}`,
      );
    }
    await sleep(100);
  }
}

function build(log: (l: string) => void): void {
  const run = (cmd: string, args: string[], cwd: string, what: string) => {
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
    if (r.status !== 0) {
      throw new StepError(
        `${what} failed (exit ${r.status}); fix the build, then re-run:\n${tail(`${r.stdout}${r.stderr}`)}`,
      );
    }
  };
  run(process.execPath, ["build.mjs"], WEB_DIR, "building app/web (node build.mjs)");
  // The signer runs the worker's bundle; `npm test` and `npm run dev` build it the same way.
  const workerDir = path.join(WEB_DIR, "..", "worker");
  const contract = JSON.parse(readFileSync(path.join(workerDir, "contract.json"), "utf8")) as {
    script: string;
  };
  if (!existsSync(path.join(workerDir, contract.script))) {
    log(`building app/worker: its ${contract.script} is missing`);
    run("npm", ["run", "build"], workerDir, "building app/worker (npm run build)");
  }
}

/**
 * Runs the drill. Never throws for a failed step: the report says what failed, and everything
 * the drill started has been stopped (or the report says what could not be) before it returns.
 */
export async function runCacheDrill(o: CacheDrillOptions = {}): Promise<CacheDrillReport> {
  const rtoSeconds = o.rtoSeconds ?? CACHE_RTO_SECONDS;
  const deadlineMs = o.deadlineMs ?? rtoSeconds * 1000;
  const interval = o.probeIntervalMs ?? 50;
  const requestTimeoutMs = o.requestTimeoutMs ?? 2_000;
  const log = o.log ?? (() => undefined);
  const steps: DrillStep[] = [];
  const answers: Answer[] = [];
  const report: CacheDrillReport = {
    kind: "cache",
    mode: "local",
    ok: false,
    steps,
    swapSeconds: null,
    serveAgainSeconds: null,
    rtoSeconds,
    withinRto: false,
    window: { ...judgeWindow([], null), rounds: 0, answers: 0 },
    services: [],
    cleanupErrors: [],
  };

  async function step<T>(name: string, fn: () => Promise<[T, string]>): Promise<T> {
    const t0 = performance.now();
    log(`${name}…`);
    try {
      const [value, detail] = await fn();
      steps.push({ name, ok: true, ms: performance.now() - t0, detail });
      return value;
    } catch (err) {
      const detail = (err as Error).message;
      steps.push({ name, ok: false, ms: performance.now() - t0, detail });
      throw new StepError(`${name}: ${detail}`);
    }
  }

  // Miniflare prints the signer's request log with console.log; those are logs, and stdout is
  // the report's (`--json`), so they go to stderr while the drill runs.
  const consoleLog = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  try {
    return await drill();
  } finally {
    console.log = consoleLog;
  }

  async function drill(): Promise<CacheDrillReport> {
    let pg: LocalPostgres | undefined;
    let signer: LocalSigner | undefined;
    let own: OwnRedis<RunningApp> | undefined;
    let swapStart = 0;
    let servedAtMs: number | null = null;
    let rounds = 0;
    let ipCounter = 0;
    // One documentation-range address per probe round: many users, not one client that the
    // per-IP rate limit would throttle (the app trusts X-Forwarded-For here, as behind its proxy).
    const ipBase = `2001:db8:cace:${randomBytes(2).toString("hex")}`;
    const nextIp = () => `${ipBase}::${(++ipCounter).toString(16)}`;

    async function call(
      app: RunningApp,
      method: string,
      urlPath: string,
      opts: { ip: string; token?: string; json?: unknown; record?: string },
    ): Promise<{ status: number | null; body: any }> {
      const headers: Record<string, string> = { "x-forwarded-for": opts.ip };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.json !== undefined) headers["content-type"] = "application/json";
      let status: number | null = null;
      let body: any;
      let error: string | undefined;
      let retryAfter: string | undefined;
      try {
        const res = await fetch(app.base + urlPath, {
          method,
          headers,
          body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get("retry-after") ?? undefined;
        const text = await res.text();
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        error = typeof body?.error === "string" ? body.error : undefined;
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        error =
          e.name === "TimeoutError"
            ? `no answer within ${requestTimeoutMs} ms`
            : (e.cause?.code ?? e.message);
      }
      if (swapStart > 0) {
        answers.push({
          atMs: performance.now() - swapStart,
          request: opts.record ?? `${method} ${urlPath}`,
          status,
          ...(error ? { error } : {}),
          ...(retryAfter ? { retryAfter } : {}),
        });
      }
      return { status, body };
    }

    try {
      let services!: LocalServices;
      let swap!: RedisSwap;
      await step("build and load the app", async () => {
        if (o.build !== false) build(log);
        services = await localServices();
        swap = redisSwap();
        return [
          undefined,
          o.build === false
            ? "the existing app/web/dist (--skip-build)"
            : "app/web/dist built from the current source",
        ];
      });

      const signerToken = randomBytes(24).toString("base64url");
      await step("start PostgreSQL and the signer", async () => {
        const [p, s] = await Promise.allSettled([
          services.startPostgres({ database: "ara" }),
          services.startSigner({
            token: signerToken,
            signingKey: randomBytes(32).toString("base64url"),
          }),
        ]);
        if (p.status === "fulfilled") {
          pg = p.value;
          report.services.push({
            name: "PostgreSQL",
            address: `127.0.0.1:${pg.port}`,
            stopped: false,
          });
        }
        if (s.status === "fulfilled") {
          signer = s.value;
          report.services.push({ name: "signer", address: signer.url, stopped: false });
        }
        const failed = [p, s].find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        return [
          undefined,
          `PostgreSQL at 127.0.0.1:${pg!.port}, signer (app/worker in Miniflare) at ${signer!.url}`,
        ];
      });

      const appPort = await services.freePort();
      own = await step("start redis-server and the app", async () => {
        const started = await swap.withOwnRedis((redisUrl) =>
          startBuiltApp(
            {
              DATABASE_URL: pg!.url,
              REDIS_URL: redisUrl,
              SIGNER_URL: signer!.url,
              SIGNER_TOKEN: signerToken,
              JWT_SECRET: randomBytes(32).toString("base64url"),
              DATA_KEY: randomBytes(24).toString("base64url"),
              TRUST_PROXY: "true",
              LOG_LEVEL: "warn",
            },
            appPort,
            requestTimeoutMs,
          ),
        );
        report.services.push(
          {
            name: "redis-server",
            address: `127.0.0.1:${started.redis.port}`,
            dir: started.redis.dir,
            stopped: false,
          },
          {
            name: "app",
            address: started.app.base,
            pid: started.app.child.pid,
            stopped: false,
          },
        );
        return [
          started,
          `node app/web/dist/server.js at ${started.app.base} (/api/ready 200), redis-server at ${started.redis.url}`,
        ];
      });
      const app = own.app;

      const progress = { step: 2, answers: { data_inventory: 3, data_quality: 2 } };
      const userIp = nextIp();
      const old = await step("start a session mid-wizard", async () => {
        const s = await call(app, "POST", "/api/sessions", { ip: userIp });
        if (s.status !== 201) throw new Error(`POST /api/sessions answered ${s.status}`);
        const token = s.body.accessToken as string;
        const put = await call(app, "PUT", "/api/wizard", { ip: userIp, token, json: progress });
        if (put.status !== 200) throw new Error(`PUT /api/wizard answered ${put.status}`);
        const get = await call(app, "GET", "/api/wizard", { ip: userIp, token });
        if (get.status !== 200 || JSON.stringify(get.body?.progress) !== JSON.stringify(progress)) {
          throw new Error(`GET /api/wizard answered ${get.status} without the saved progress`);
        }
        return [
          { token, refreshToken: s.body.refreshToken as string },
          `session created, wizard progress at step ${progress.step} saved and read back`,
        ];
      });

      // The probes run from the moment the old server is told to stop, side by side with the swap,
      // so the window holds every answer a user could have got.
      swapStart = performance.now();
      let swapped = false;
      let swapError: unknown;
      const swapping = swap.emptyFailover(own.redis).then(
        () => {
          report.swapSeconds = (performance.now() - swapStart) / 1000;
          swapped = true;
        },
        (err) => {
          swapError = err;
        },
      );

      let fresh: { token: string } | undefined;
      let injected = false;
      let last = "";
      await step("serve again after the swap", async () => {
        for (;;) {
          if (swapError) throw new Error(`the swap failed: ${(swapError as Error).message}`);
          if (swapped && o.afterSwap && !injected) {
            injected = true;
            await o.afterSwap({ app: app.child });
          }
          if (app.child.exitCode !== null || app.child.signalCode !== null) {
            throw new Error(
              `the app exited (${app.child.exitCode ?? app.child.signalCode}) after the swap:\n${tail(app.output())}`,
            );
          }
          if (performance.now() - swapStart > deadlineMs) {
            throw new Error(
              `the app did not serve again within ${seconds(deadlineMs)} of the swap (last round: ${last}); its output:\n${tail(app.output()) || "(none)"}`,
            );
          }
          rounds++;
          // A round counts only if it began once the empty server was in place: a session
          // created on the old one would vanish with it.
          const afterSwap = swapped;
          const ip = nextIp();
          const created = await call(app, "POST", "/api/sessions", {
            ip,
            record: "POST /api/sessions (new)",
          });
          const newWizard =
            created.status === 201
              ? await call(app, "GET", "/api/wizard", {
                  ip,
                  token: created.body.accessToken as string,
                  record: "GET /api/wizard (new token)",
                })
              : undefined;
          const oldWizard = await call(app, "GET", "/api/wizard", {
            ip,
            token: old.token,
            record: "GET /api/wizard (old token)",
          });
          // Only once the old session is gone: against the old server a refresh would rotate it.
          const oldRefresh =
            oldWizard.status === 401
              ? await call(app, "POST", "/api/sessions/refresh", {
                  ip,
                  json: { refreshToken: old.refreshToken },
                  record: "POST /api/sessions/refresh (old token)",
                })
              : undefined;
          last = `new session ${created.status ?? "no answer"}${newWizard ? ` (its wizard ${newWizard.status ?? "no answer"})` : ""}, old token ${oldWizard.status ?? "no answer"}${oldRefresh ? `, old refresh token ${oldRefresh.status ?? "no answer"}` : ""}`;
          if (
            afterSwap &&
            created.status === 201 &&
            newWizard?.status === 200 &&
            oldWizard.status === 401 &&
            oldRefresh?.status === 401
          ) {
            servedAtMs = performance.now() - swapStart;
            report.serveAgainSeconds = servedAtMs / 1000;
            fresh = { token: created.body.accessToken as string };
            return [
              undefined,
              `${last} after ${rounds} probe rounds, ${seconds(servedAtMs)} after the old server was stopped`,
            ];
          }
          await sleep(interval);
        }
      });
      await swapping;

      await step("new sessions work end to end", async () => {
        const ip = nextIp();
        const token = fresh!.token;
        const put = await call(app, "PUT", "/api/wizard", { ip, token, json: progress });
        const get = await call(app, "GET", "/api/wizard", { ip, token });
        const ready = await call(app, "GET", "/api/ready", { ip });
        const problems = [
          put.status !== 200 && `PUT /api/wizard answered ${put.status}`,
          (get.status !== 200 || JSON.stringify(get.body?.progress) !== JSON.stringify(progress)) &&
            `GET /api/wizard answered ${get.status} without the progress just saved`,
          ready.status !== 200 &&
            `GET /api/ready answered ${ready.status} (${JSON.stringify(ready.body?.checks)})`,
        ].filter(Boolean);
        if (problems.length) throw new Error(problems.join("; "));
        return [
          undefined,
          "the new session saved and read back its wizard progress; /api/ready 200",
        ];
      });
    } catch (err) {
      report.error = err instanceof StepError ? err.message : `unexpected: ${(err as Error).stack}`;
    }

    // Cleanup, always: the app first (it holds connections to the rest), then what it used.
    const stop = async (name: string, fn: (() => Promise<void>) | undefined) => {
      const entry = report.services.find((s) => s.name === name);
      if (!fn || !entry) return;
      try {
        await fn();
        entry.stopped = true;
      } catch (err) {
        report.cleanupErrors.push(
          `stopping ${name} (${entry.address}) failed: ${(err as Error).message}`,
        );
      }
    };
    if (own) {
      const o2 = own;
      await stop("app", () => o2.app.close());
      await stop("redis-server", () => o2.redis.dispose());
    }
    await stop("signer", signer && (() => signer!.dispose()));
    await stop("PostgreSQL", pg && (() => pg!.stop()));

    const verdict = judgeWindow(answers, servedAtMs);
    report.window = { ...verdict, rounds, answers: answers.length };
    report.withinRto = report.serveAgainSeconds !== null && report.serveAgainSeconds <= rtoSeconds;
    if (!report.error && !verdict.ok) {
      const bad = [...verdict.serverErrors, ...verdict.unreachable][0]!;
      report.error = `${bad.request} answered ${bad.status ?? "nothing"}${bad.error ? ` (${bad.error})` : ""} ${seconds(bad.atMs)} after the swap began${servedAtMs !== null && bad.atMs >= servedAtMs ? ", after the app served again" : ""}: a Redis swap must cost users a clean 401 or a 503 with Retry-After, never another error. The app's log:\n${tail(own?.app.output() ?? "") || "(none)"}`;
    }
    if (!report.error && !report.withinRto) {
      report.error = `the app served again after ${report.serveAgainSeconds} s, over the ${rtoSeconds} s RTO`;
    }
    if (!report.error && report.cleanupErrors.length) report.error = report.cleanupErrors[0];
    report.ok = !report.error;
    return report;
  }
}

/** The "where" of a cache drill report, for people: which services were started and stopped. */
export function serviceLines(r: CacheDrillReport): string[] {
  return r.services.map(
    (s) =>
      `${s.name} ${s.address}${s.pid ? ` (pid ${s.pid})` : ""}: ${s.stopped ? "stopped" : "LEFT RUNNING"}`,
  );
}
