import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { freePort, startPostgres, startRedisServer } from "../dist/local.js";
const [pg, redis] = await Promise.all([startPostgres(), startRedisServer()]);
const port = await freePort();
const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir=/tmp/prof", "dist/server.js"], {
  env: { PATH: process.env.PATH, DATABASE_URL: pg.url, REDIS_URL: redis.url, SIGNER_URL: "http://127.0.0.1:9", SIGNER_TOKEN: "x".repeat(20), JWT_SECRET: "y".repeat(40), DATA_KEY: "z".repeat(40), PORT: String(port), HOST: "127.0.0.1", RATE_LIMIT_PER_MINUTE: "1000000000", ...(process.env.EXTRA ? JSON.parse(process.env.EXTRA) : {}) },
  stdio: ["ignore", "ignore", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
for (;;) { try { if ((await fetch(base + "/api/health")).ok) break; } catch {} await new Promise(r => setTimeout(r, 100)); }
const s = await (await fetch(base + "/api/sessions", { method: "POST" })).json();
const ids = ["data_inventory","data_quality","data_access","api_coverage","agent_credentials","ai_policy","audit_logging","human_oversight","process_docs","success_metrics","sponsorship","skills"];
const body = JSON.stringify({ organization: "B", email: "b@c.de", answers: Object.fromEntries(ids.map(i => [i, 2])) });
const opts = process.env.TARGET === "post" ? { url: base + "/api/audits", method: "POST", body, headers: { authorization: "Bearer " + s.accessToken, "content-type": "application/json" } } : { url: base + "/api/health" };
const r = await autocannon({ ...opts, connections: 32, duration: 4 });
console.log("rps", r.requests.average, "p50", r.latency.p50, "p99", r.latency.p99, "non2xx", r.non2xx);
child.kill("SIGINT");
await new Promise(r => child.once("exit", r));
await pg.stop(); await redis.dispose();
