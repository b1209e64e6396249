// Worker benchmark: (a) CPU time per POST /r2/upload inside workerd, (b) 1 MB upload +
// download round trips per second on loopback. Runs the built bundle (dist/index.js), the
// same bytes Pulumi deploys. Bounded: a fixed number of requests and a time cap per phase.
//
// workerd does not report CPU time per request locally (tail events carry cpuTime: 0 under
// Miniflare), so (a) reads the kernel's per-thread CPU counters of the workerd process
// (/proc/<pid>/task/*/schedstat, nanoseconds) around batches of sequential requests, and
// subtracts the same measurement for a no-op worker in a second workerd process. What is
// left is the signer's own work (routing, body read, JSON, token check, HMAC, UUID, reply).
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { build } from "../build.mjs";

const contract = JSON.parse(readFileSync(new URL("../contract.json", import.meta.url), "utf8"));
const TOKEN = "bench-signer-token-0123456789abcdef0123456789";
const ROUNDS = 15;
const PER_ROUND = 200;
const WARMUP = 300;
const RT_MAX = 200;
const RT_SECONDS = 20;
const MB = 1024 * 1024;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 3) => x.toFixed(d);

function workerdPids() {
  const out = new Set();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
      if (ppid === process.pid && comm.startsWith("workerd")) out.add(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** CPU nanoseconds used so far by every thread of `pid`. */
function cpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // thread exited
    }
  }
  return total;
}

async function start(options) {
  const before = workerdPids();
  const mf = new Miniflare({ host: "127.0.0.1", port: 0, ...options });
  const url = await mf.ready;
  const pids = [...workerdPids()].filter((p) => !before.has(p));
  if (pids.length !== 1) throw new Error(`expected one new workerd process, found ${pids.length}`);
  return { mf, url, pid: pids[0] };
}

async function cpuPerRequest(target, send) {
  const t0 = cpuNs(target.pid);
  for (let i = 0; i < PER_ROUND; i++) await send();
  return (cpuNs(target.pid) - t0) / PER_ROUND / 1e6;
}

await build();
const scriptPath = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const signer = await start({
  modules: true,
  scriptPath,
  compatibilityDate: contract.compatibilityDate,
  r2Buckets: [contract.bindings.bucket],
  bindings: {
    [contract.bindings.signingKey]: "bench-signing-key-0123456789abcdef0123456789",
    [contract.bindings.signerToken]: TOKEN,
  },
});
// The baseline worker answers every request with a fixed JSON body, except PUT /bare-put,
// which stores the body in R2 with no checks: the floor for the signer's PUT.
const noop = await start({
  modules: true,
  compatibilityDate: contract.compatibilityDate,
  r2Buckets: ["R"],
  script: `export default { async fetch(req, env) {
    if (req.method === "PUT") { await env.R.put("bare", req.body); return new Response("{}"); }
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  } }`,
});

const uploadBody = JSON.stringify({ contentType: "application/pdf", contentLength: MB });
const post = (base) => async () => {
  const res = await fetch(new URL("/r2/upload", base), {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: uploadBody,
  });
  if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
  await res.arrayBuffer();
};

try {
  const sendSigner = post(signer.url);
  const sendNoop = post(noop.url);
  for (let i = 0; i < WARMUP; i++) {
    await sendSigner();
    await sendNoop();
  }
  const s = [];
  const n = [];
  const d = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating rounds share whatever else the machine is doing.
    const a = await cpuPerRequest(signer, sendSigner);
    const b = await cpuPerRequest(noop, sendNoop);
    s.push(a);
    n.push(b);
    d.push(a - b);
  }
  const lat = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await sendSigner();
    lat.push(performance.now() - t);
  }

  const { version: miniflareVersion } = JSON.parse(
    readFileSync(new URL("../node_modules/miniflare/package.json", import.meta.url), "utf8"),
  );
  console.log(
    `worker bench: miniflare ${miniflareVersion}, node ${process.version}, ${cpus().length} CPUs`,
  );
  console.log(
    `method: CPU of the workerd process (all threads, /proc schedstat) over ${ROUNDS} rounds x ${PER_ROUND} sequential requests, minus a no-op worker measured the same way`,
  );
  console.log(`upload-sign workerd CPU per request (median): ${fmt(median(s))} ms`);
  console.log(`no-op worker workerd CPU per request (median): ${fmt(median(n))} ms`);
  console.log(
    `upload-sign handler CPU per request (median of round differences): ${fmt(median(d))} ms (min ${fmt(Math.min(...d))}, max ${fmt(Math.max(...d))}); target < 1 ms: ${median(d) < 1 ? "met" : "NOT met"}`,
  );
  console.log(`upload-sign wall time per request over loopback (median): ${fmt(median(lat))} ms`);

  // (b) round trips of 1 MB: sign upload, PUT, sign download, GET (and check the bytes).
  const data = new Uint8Array(MB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const rt = [];
  const steps = { "sign upload": [], "PUT 1 MB": [], "sign download": [], "GET 1 MB": [] };
  const lap = (name, since) => {
    const now = performance.now();
    steps[name].push(now - since);
    return now;
  };
  const t0 = performance.now();
  while (rt.length < RT_MAX && performance.now() - t0 < RT_SECONDS * 1000) {
    const t = performance.now();
    let l = t;
    const grant = await (
      await fetch(new URL("/r2/upload", signer.url), {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: uploadBody,
      })
    ).json();
    l = lap("sign upload", l);
    const put = await fetch(grant.url, { method: "PUT", headers: grant.headers, body: data });
    if (put.status !== 200) throw new Error(`PUT ${put.status}: ${await put.text()}`);
    await put.arrayBuffer();
    l = lap("PUT 1 MB", l);
    const dl = await (
      await fetch(new URL(`/r2/download?key=${encodeURIComponent(grant.key)}`, signer.url), {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).json();
    l = lap("sign download", l);
    const got = new Uint8Array(await (await fetch(dl.url)).arrayBuffer());
    lap("GET 1 MB", l);
    if (got.length !== data.length || got[MB - 1] !== data[MB - 1])
      throw new Error("GET returned other bytes");
    rt.push(performance.now() - t);
    // Keeps the bucket small, so later round trips are not measured against a fuller store.
    await (
      await fetch(new URL(`/r2/delete?key=${encodeURIComponent(grant.key)}`, signer.url), {
        method: "DELETE",
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).arrayBuffer();
  }
  const seconds = rt.reduce((a, b) => a + b, 0) / 1000;
  console.log(
    `1 MB upload+download round trips (sequential, loopback, 4 requests each, delete not timed): ${rt.length} in ${fmt(seconds, 1)} s = ${fmt(rt.length / seconds, 1)} round trips/s, ${fmt((2 * rt.length) / seconds, 1)} MB/s moved, median ${fmt(median(rt), 1)} ms per round trip`,
  );
  console.log(
    `round-trip steps (median ms): ${Object.entries(steps)
      .map(([k, v]) => `${k} ${fmt(median(v), 1)}`)
      .join(", ")}`,
  );
  const bare = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await (
      await fetch(new URL("/bare-put", noop.url), { method: "PUT", body: data })
    ).arrayBuffer();
    bare.push(performance.now() - t);
  }
  console.log(
    `floor: a worker that only does R2 put(key, request.body) with the same 1 MB takes ${fmt(median(bare), 1)} ms (median of 30) in Miniflare's local R2 simulator, which dominates PUT; production R2 timings will differ`,
  );
} finally {
  await signer.mf.dispose();
  await noop.mf.dispose();
}
