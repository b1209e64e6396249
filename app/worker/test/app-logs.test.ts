import { Miniflare } from "miniflare";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import contract from "../contract.json";
import {
  APP_LOGS_PATH,
  archiveKey,
  MAX_LOG_BATCH_BYTES,
  MAX_LOG_BATCH_INFLATED_BYTES,
} from "../src/app-logs";
import { expectError } from "./helpers/assert";
import {
  bytes,
  DIST_INDEX,
  ORIGIN,
  SIGNER_TOKEN,
  signerBindings,
  signerLogs,
  startSigner,
} from "./helpers/signer";

// POST /r2/logs/app in workerd: the built bundle, an in-memory LOG_ARCHIVE bucket beside REPORTS.

const b = contract.bindings;
const INGEST_TOKEN = "test-log-ingest-token-0123456789abcdef0123456789";
const ingest = { authorization: `Bearer ${INGEST_TOKEN}` };
const GZIP = "application/gzip";

let mf: Miniflare;
beforeAll(async () => {
  mf = startSigner({
    r2Buckets: [b.bucket, b.logArchive],
    bindings: signerBindings({ [b.logIngestToken]: INGEST_TOKEN }),
  });
  await mf.ready;
});
afterAll(async () => {
  await mf.dispose();
});

const record = (i: number, extra: Record<string, unknown> = {}) => ({
  level: "info",
  time: new Date(Date.UTC(2026, 10, 30, 12, 0, i)).toISOString(),
  service: "ara-web",
  request_id: `req-${i}`,
  msg: "request",
  ...extra,
});
const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";

function post(
  body: Uint8Array | string | ReadableStream<Uint8Array> | undefined,
  headers: Record<string, string> = { ...ingest, "content-type": GZIP },
  worker: Miniflare = mf,
) {
  return worker.dispatchFetch(`${ORIGIN}${APP_LOGS_PATH}`, {
    method: "POST",
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as Parameters<Miniflare["dispatchFetch"]>[1]);
}

/** Every object of both buckets with its version: equal snapshots mean nothing was written. */
async function everything(worker: Miniflare = mf): Promise<string[]> {
  const out: string[] = [];
  for (const name of [b.bucket, b.logArchive]) {
    const bucket = await worker.getR2Bucket(name);
    const page = await bucket.list({ limit: 1000 });
    for (const o of page.objects) out.push(`${name}/${o.key}:${o.version}`);
  }
  return out.sort();
}

async function expectNothingWritten(act: () => Promise<void>) {
  const before = await everything();
  await act();
  expect(await everything()).toEqual(before);
}

describe("POST /r2/logs/app", () => {
  it("stores an accepted batch as one object app/<yyyy>/<mm>/<dd>/<hhmmss>Z-<uuid>.ndjson.gz, byte for byte", async () => {
    const text = ndjson([record(1), record(2, { level: "warn", msg: "slow" }), record(3)]);
    const gz = gzipSync(text);
    const before = Date.now();
    const res = await post(gz, { ...ingest, "content-type": GZIP, "x-request-id": "batch-1" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe("batch-1");
    const body = (await res.json()) as { key: string; records: number };
    expect(body.records).toBe(3);
    const m =
      /^app\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{6})Z-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.ndjson\.gz$/.exec(
        body.key,
      );
    expect(m, body.key).not.toBeNull();
    const day = new Date(before).toISOString().slice(0, 10).split("-");
    expect([m![1], m![2], m![3]]).toEqual(day);

    const archive = await mf.getR2Bucket(b.logArchive);
    const stored = await archive.get(body.key);
    expect(stored).not.toBeNull();
    const storedBytes = new Uint8Array(await stored!.arrayBuffer());
    expect(Buffer.from(storedBytes).equals(gz)).toBe(true);
    expect(gunzipSync(storedBytes).toString("utf8")).toBe(text);
    expect(stored!.httpMetadata?.contentType).toBe(GZIP);
    expect(stored!.customMetadata).toEqual({
      records: "3",
      first: "2026-11-30T12:00:01.000Z",
      last: "2026-11-30T12:00:03.000Z",
    });
    // Nothing lands in the reports bucket.
    const reports = await mf.getR2Bucket(b.bucket);
    expect((await reports.list()).objects).toEqual([]);
    // The worker's own request line for the call, as for every request.
    await signerLogs.expectLogged({ msg: "request", path: APP_LOGS_PATH, status: 201 });
  });

  it("accepts pino's numeric levels and epoch-millisecond times, and a batch without a final newline", async () => {
    const text = [
      JSON.stringify({ level: 30, time: 1_764_504_000_000, msg: "a" }),
      JSON.stringify({ level: "error", time: "2026-11-30T12:00:00Z", msg: "b" }),
    ].join("\n");
    const res = await post(gzipSync(text));
    expect(res.status).toBe(201);
    expect(((await res.json()) as { records: number }).records).toBe(2);
  });

  it("names the key by the arrival time in UTC", () => {
    expect(archiveKey(new Date("2027-01-02T03:04:05.678Z"), "u")).toBe(
      "app/2027/01/02/030405Z-u.ndjson.gz",
    );
  });

  describe("refusals write nothing", () => {
    it("401 without a token, with a wrong one, with another scheme, and with the signer's token", async () => {
      const gz = gzipSync(ndjson([record(1)]));
      await expectNothingWritten(async () => {
        for (const authorization of [
          undefined,
          `Bearer ${INGEST_TOKEN}x`,
          `Bearer ${INGEST_TOKEN.slice(0, -1)}`,
          `Basic ${INGEST_TOKEN}`,
          `Bearer ${SIGNER_TOKEN}`,
        ]) {
          const headers: Record<string, string> = { "content-type": GZIP };
          if (authorization) headers.authorization = authorization;
          const res = await post(gz, headers);
          await expectError(res, 401, "unauthorized");
          expect(res.headers.get("www-authenticate")).toBe('Bearer realm="ara-logs"');
        }
      });
    });

    it("accepts the scheme in any case, as the signer's endpoints do", async () => {
      const res = await post(gzipSync(ndjson([record(1)])), {
        authorization: `bearer ${INGEST_TOKEN}`,
        "content-type": GZIP,
      });
      expect(res.status).toBe(201);
    });

    it("413 for a body over the limit, declared or streamed, and for a batch that inflates past its limit", async () => {
      const big = bytes(MAX_LOG_BATCH_BYTES + 1, 7);
      big[0] = 0x1f;
      big[1] = 0x8b;
      // Zeros compress ~1000:1: 17 MB of them is a small body that inflates past 16 MiB.
      const bomb = gzipSync(
        Buffer.concat([
          Buffer.from(JSON.stringify(record(1)) + "\n"),
          Buffer.alloc(MAX_LOG_BATCH_INFLATED_BYTES + 1024, 0x20),
        ]),
      );
      expect(bomb.byteLength).toBeLessThan(MAX_LOG_BATCH_BYTES);
      await expectNothingWritten(async () => {
        const declared = await expectError(await post(big), 413, "payload_too_large");
        expect(declared.message).toContain(String(MAX_LOG_BATCH_BYTES));
        // Chunked: no Content-Length, counted as it streams.
        const chunks = [big.subarray(0, 600_000), big.subarray(600_000)];
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        });
        await expectError(await post(stream), 413, "payload_too_large");
        const inflated = await expectError(await post(bomb), 413, "payload_too_large");
        expect(inflated.message).toMatch(/inflates/);
      });
    });

    it("415 for a body that is not sent as application/gzip", async () => {
      const gz = gzipSync(ndjson([record(1)]));
      await expectNothingWritten(async () => {
        for (const type of ["application/x-ndjson", "application/json", ""]) {
          const headers: Record<string, string> = { ...ingest };
          if (type) headers["content-type"] = type;
          await expectError(await post(gz, headers), 415, "unsupported_media_type");
        }
      });
    });

    it("400 for a body that is not gzip, or a cut-off gzip stream", async () => {
      const gz = gzipSync(ndjson([record(1), record(2), record(3)]));
      await expectNothingWritten(async () => {
        await expectError(await post(ndjson([record(1)])), 400, "invalid_gzip");
        await expectError(await post(new Uint8Array(0)), 400, "invalid_gzip");
        await expectError(await post(gz.subarray(0, gz.byteLength - 12)), 400, "invalid_gzip");
      });
    });

    it.each([
      ["a line that is not JSON", `${JSON.stringify(record(1))}\nnot json\n`, /line 2 is not JSON/],
      ["a JSON array", `[1,2]\n`, /line 1 is not a JSON object/],
      ["a line without time", ndjson([record(1), { level: "info", msg: "x" }]), /line 2.*"time"/],
      ["an unparseable time", ndjson([record(1, { time: "yesterday" })]), /line 1.*"time"/],
      ["a line without level", ndjson([{ time: record(1).time, msg: "x" }]), /line 1.*"level"/],
      [
        "an empty line inside",
        `${JSON.stringify(record(1))}\n\n${JSON.stringify(record(2))}\n`,
        /line 2/,
      ],
      ["no records", "\n", /no log records|line 1/],
    ])("400 invalid_batch for %s", async (_what, text, message) => {
      await expectNothingWritten(async () => {
        const body = await expectError(await post(gzipSync(text)), 400, "invalid_batch");
        expect(body.message).toMatch(message);
      });
    });

    it("405 with Allow for another method", async () => {
      const res = await mf.dispatchFetch(`${ORIGIN}${APP_LOGS_PATH}`, { headers: ingest });
      await expectError(res, 405, "method_not_allowed");
      expect(res.headers.get("allow")).toBe("POST");
    });
  });
});

describe("POST /r2/logs/app where the stack has no archive", () => {
  it("answers 404 log_archive_disabled without a LOG_ARCHIVE binding, and 500 misconfigured without the token", async () => {
    const bare = startSigner();
    const noToken = startSigner({ r2Buckets: [b.bucket, b.logArchive] });
    try {
      const gz = gzipSync(ndjson([record(1)]));
      const off = await expectError(await post(gz, undefined, bare), 404, "log_archive_disabled");
      // The key that creates the archive for the app's lines.
      expect(off.message).toContain("ara:observability.logs.appArchive");
      const res = await post(gz, undefined, noToken);
      const body = await expectError(res, 500, "misconfigured");
      expect(body.message).toContain("LOG_INGEST_TOKEN");
      expect((await (await noToken.getR2Bucket(b.logArchive)).list()).objects).toEqual([]);
    } finally {
      await Promise.all([bare.dispose(), noToken.dispose()]);
    }
  });
});

describe("POST /r2/logs/app during an R2 outage", () => {
  it("answers 503 bucket_unavailable and logs the failure", async () => {
    // LOG_ARCHIVE is served by a second worker whose puts throw, as during an R2 incident.
    const flaky = new Miniflare({
      workers: [
        {
          name: "signer",
          modules: true,
          scriptPath: DIST_INDEX,
          compatibilityDate: contract.compatibilityDate,
          r2Buckets: [b.bucket],
          bindings: signerBindings({ [b.logIngestToken]: INGEST_TOKEN }),
          wrappedBindings: { [b.logArchive]: { scriptName: "flaky-r2" } },
        },
        {
          name: "flaky-r2",
          modules: true,
          script: `export default function () {
            return { put: () => { throw new Error("R2 internal error (simulated outage)"); } };
          }`,
        },
      ],
      host: "127.0.0.1",
      port: 0,
      handleStructuredLogs: signerLogs.handleStructuredLogs,
    } as ConstructorParameters<typeof Miniflare>[0]);
    try {
      const res = await post(gzipSync(ndjson([record(1)])), undefined, flaky);
      await expectError(res, 503, "bucket_unavailable");
      await signerLogs.expectLogged({
        msg: "R2 put failed",
        bucket: "LOG_ARCHIVE",
        error: /simulated outage/,
      });
    } finally {
      await flaky.dispose();
    }
  });
});
