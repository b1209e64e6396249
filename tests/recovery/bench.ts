// The Recovery section of `npm run bench` (scripts/bench.js runs main() in a process of its
// own). Figures are printed, never asserted. Everything runs on loopback, as in the recovery
// tests, so each figure is a lower bound for the real restore it stands for:
//   - storage restore throughput: restoreStorage from a versioned S3 fake to an R2 fake;
//   - the database drill's duration against the spec-driven fake PlanetScale API and a local
//     PostgreSQL (a branch is ready after two polls 5 ms apart, where a real one takes minutes);
//   - the cache drill's time to serve again after the Redis swap.
// Bounded: BENCH_RESTORE_OBJECTS objects (default 200) and three runs of each: about 30–60 s.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { CACHE_RTO_SECONDS, runCacheDrill } from "../../recovery/cache/drill";
import { loadWebSource, localServices } from "../../recovery/cache/web";
import { DATABASE_RTO_SECONDS, runDatabaseDrill } from "../../recovery/database/drill";
import { expectedMigrations } from "../../recovery/database/migrations";
import { restoreStorage } from "../../recovery/storage/restore";
import type { Bucket } from "../../recovery/storage/s3";
import { FakeVersionedS3 } from "../fixtures/s3/versioned-s3";
import { seedDatabase, startLocalPlanetScale, type AppMigrations } from "./local-planetscale";

const RUNS = 3;
const OBJECTS = Number(process.env.BENCH_RESTORE_OBJECTS ?? 200);
const OBJECT_BYTES = 128 * 1024;
const STORAGE_RTO_SECONDS = 10 * 60;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const list = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(", ");
const row = (label: string, value: string) => console.log(`${label.padEnd(48)}${value}`);

async function storage(): Promise<void> {
  const KEY = "AKIDBENCH";
  const SECRET = "bench-secret";
  // The fakes check nothing: verifying signatures is the tests' job, and on loopback the server
  // would take its CPU from the restore it serves, which real S3 does not.
  const verify = () => "ok";
  const replica = await FakeVersionedS3.start({
    region: "us-west-2",
    buckets: { "bench-replica": { versioned: true } },
    keyId: KEY,
    secret: SECRET,
    verify,
  });
  const older = new Date(Date.now() - 86_400_000);
  for (let i = 0; i < OBJECTS; i++) {
    // Two versions per key: the listing and the choice of the current one are part of a restore.
    replica.seed("bench-replica", `reports/${i}.pdf`, randomBytes(OBJECT_BYTES), older);
    replica.seed("bench-replica", `reports/${i}.pdf`, randomBytes(OBJECT_BYTES), new Date());
  }
  const rates: number[] = [];
  const mbs: number[] = [];
  try {
    // Run 0 warms up (JIT, sockets) and is not counted: it was half as fast as the others.
    for (let run = 0; run <= RUNS; run++) {
      // An empty R2 each run: a re-run into the same bucket would skip every object.
      const r2 = await FakeVersionedS3.start({
        region: "auto",
        buckets: { "bench-r2": { versioned: false } },
        keyId: KEY,
        secret: SECRET,
        verify,
      });
      try {
        const creds = { accessKeyId: KEY, secretAccessKey: SECRET };
        const from: Bucket = {
          endpoint: replica.endpoint,
          bucket: "bench-replica",
          region: "us-west-2",
          ...creds,
        };
        const to: Bucket = { endpoint: r2.endpoint, bucket: "bench-r2", region: "auto", ...creds };
        const t0 = performance.now();
        const report = await restoreStorage({
          replica: from,
          r2: to,
          prefix: "reports/",
          asOf: new Date(),
          dryRun: false,
        });
        const s = (performance.now() - t0) / 1000;
        if (!report.ok || report.copied !== OBJECTS) {
          throw new Error(`restore run ${run} copied ${report.copied} of ${OBJECTS}`);
        }
        if (run === 0) continue;
        rates.push(OBJECTS / s);
        mbs.push(report.bytes / 1e6 / s);
      } finally {
        await r2.stop();
      }
    }
  } finally {
    await replica.stop();
  }
  const rate = median(rates);
  row(
    `storage restore, ${OBJECTS} × ${OBJECT_BYTES / 1024} KiB objects`,
    `median ${rate.toFixed(0)} objects/s, ${median(mbs).toFixed(1)} MB/s  (runs: ${list(rates, 0)} objects/s)`,
  );
  row(
    "  at that rate, the 10-minute storage RTO",
    `holds about ${Math.floor(rate * STORAGE_RTO_SECONDS).toLocaleString("en-US")} objects of that size  (reported)`,
  );
}

async function database(): Promise<void> {
  const services = await localServices();
  const app = loadWebSource<AppMigrations>("src/migrations.ts");
  const server = await services.startPostgres({ database: "ara" });
  const admin = new pg.Client({ connectionString: server.url.replace(/\/ara$/, "/postgres") });
  await admin.connect();
  const durations: number[] = [];
  const restores: number[] = [];
  try {
    await seedDatabase(admin, server.url, "ara", app, { audits: 200 });
    const ps = await startLocalPlanetScale(admin, {
      organization: "bench",
      database: "ara-staging-system",
      template: "ara",
    });
    try {
      for (let run = 0; run < RUNS; run++) {
        ps.fake.addBackup("ara-staging-system", "main");
        const t0 = performance.now();
        const report = await runDatabaseDrill({
          api: { baseUrl: ps.fake.baseUrl, tokenId: ps.fake.tokenId, token: ps.fake.token },
          organization: "bench",
          database: "ara-staging-system",
          source: { kind: "backup", backupId: "latest" },
          expectedMigrations: expectedMigrations(app.MIGRATIONS),
          pollIntervalMs: 5,
          port: server.port,
          sslmode: "disable",
        });
        if (!report.ok) throw new Error(`database drill run ${run + 1} failed: ${report.error}`);
        durations.push((performance.now() - t0) / 1000);
        restores.push(report.restoreSeconds!);
      }
    } finally {
      await ps.close();
    }
  } finally {
    await admin.end();
    await server.stop();
  }
  const restore = median(restores);
  row(
    "database drill (fake PlanetScale, 200 audits)",
    `median ${restore.toFixed(2)} s restore to checked, ${median(durations).toFixed(2)} s with cleanup  (runs: ${list(durations, 2)} s; target <= ${DATABASE_RTO_SECONDS / 60} min: ${restore <= DATABASE_RTO_SECONDS ? "met" : "MISSED"})`,
  );
}

async function cache(): Promise<void> {
  const serve: number[] = [];
  const verdicts: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    // The first run builds the app from the current source; the others reuse that build.
    const report = await runCacheDrill({ build: run === 0 });
    if (report.serveAgainSeconds === null) {
      throw new Error(`cache drill run ${run + 1} failed: ${report.error}`);
    }
    serve.push(report.serveAgainSeconds);
    verdicts.push(report.ok ? "passed" : `FAILED: ${report.error!.split(": a Redis swap")[0]}`);
  }
  const s = median(serve);
  row(
    "cache drill: serves again after the swap",
    `median ${s.toFixed(2)} s  (runs: ${list(serve, 2)} s; target <= ${CACHE_RTO_SECONDS / 60} min: ${s <= CACHE_RTO_SECONDS ? "met" : "MISSED"})`,
  );
  verdicts.forEach((v, i) => row(`  run ${i + 1}`, v));
}

export async function main(): Promise<number> {
  let failed = 0;
  for (const [name, fn] of [
    ["storage restore", storage],
    ["database drill", database],
    ["cache drill", cache],
  ] as const) {
    try {
      await fn();
    } catch (err) {
      failed++;
      console.log(`(the ${name} benchmark failed: ${(err as Error).message})`);
    }
  }
  return failed ? 1 : 0;
}
