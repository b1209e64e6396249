// The storage restore and the integrity check against two local S3 endpoints: a versioned
// replica (us-west-2) and an unversioned bucket standing in for R2's S3 API (region auto), both
// verifying every SigV4 signature. The CLI's refusals (exit 2) are checked in-process.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { checkIntegrity } from "../../recovery/storage/integrity";
import { restoreStorage, versionsAsOf } from "../../recovery/storage/restore";
import type { Bucket } from "../../recovery/storage/s3";
import { main as restoreMain } from "../../scripts/restore/cli";
import { main as drillMain } from "../../scripts/drill/cli";
import { FakeVersionedS3 } from "../fixtures/s3/versioned-s3";

const KEY = "AKIDRESTORETEST";
const SECRET = "restore-test-secret";
let verify: any;
let replicaS3: FakeVersionedS3;
let r2S3: FakeVersionedS3;
let replica: Bucket;
let r2: Bucket;

const t = (iso: string) => new Date(iso);

beforeAll(async () => {
  verify = (await import(path.resolve(__dirname, "../../app/worker/test/helpers/s3.ts")))
    .verifySigV4;
});

beforeEach(async () => {
  replicaS3 = await FakeVersionedS3.start({
    region: "us-west-2",
    buckets: { "ara-prod-reports-replica-x": { versioned: true } },
    keyId: KEY,
    secret: SECRET,
    verify,
    maxKeys: 3, // small pages: the restore must follow the markers
  });
  r2S3 = await FakeVersionedS3.start({
    region: "auto",
    buckets: { "ara-prod-reports": { versioned: false } },
    keyId: KEY,
    secret: SECRET,
    verify,
    maxKeys: 3,
  });
  const creds = { accessKeyId: KEY, secretAccessKey: SECRET };
  replica = {
    endpoint: replicaS3.endpoint,
    bucket: "ara-prod-reports-replica-x",
    region: "us-west-2",
    ...creds,
  };
  r2 = { endpoint: r2S3.endpoint, bucket: "ara-prod-reports", region: "auto", ...creds };
});

afterEach(async () => {
  expect([...replicaS3.requests, ...r2S3.requests].filter((r) => r.verdict !== "ok")).toEqual([]);
  await Promise.all([replicaS3.stop(), r2S3.stop()]);
});

const R = "ara-prod-reports-replica-x";

/** A history: a.pdf three versions, b.pdf deleted later, c.pdf created late, d/e.pdf once. */
function history() {
  replicaS3.seed(R, "reports/a.pdf", "a-v1", t("2026-11-01T10:00:00Z"));
  replicaS3.seed(R, "reports/a.pdf", "a-v2 longer", t("2026-11-05T10:00:00Z"));
  replicaS3.seed(R, "reports/a.pdf", "a-v3", t("2026-11-09T10:00:00Z"));
  replicaS3.seed(R, "reports/b.pdf", "b-v1", t("2026-11-02T10:00:00Z"));
  replicaS3.seed(R, "reports/b.pdf", null, t("2026-11-06T10:00:00Z")); // delete marker
  replicaS3.seed(R, "reports/c.pdf", "c-v1", t("2026-11-08T10:00:00Z"));
  replicaS3.seed(R, "reports/d e+f.pdf", "d-v1 with spaces", t("2026-11-03T10:00:00Z"));
  replicaS3.seed(R, "other/x.pdf", "outside the prefix", t("2026-11-03T10:00:00Z"));
}

describe("storage restore from the versioned replica", () => {
  it("restores, for each key, the version current at --as-of", async () => {
    history();
    const report = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-05T12:00:00Z"),
      dryRun: false,
    });
    expect(report.failed).toEqual([]);
    expect(report.objects.map((o) => [o.key, o.action])).toEqual([
      ["reports/a.pdf", "copy"],
      ["reports/b.pdf", "copy"],
      ["reports/c.pdf", "skip-absent-at-as-of"],
      ["reports/d e+f.pdf", "copy"],
    ]);
    expect(r2S3.current("ara-prod-reports", "reports/a.pdf")!.body.toString()).toBe("a-v2 longer");
    expect(r2S3.current("ara-prod-reports", "reports/b.pdf")!.body.toString()).toBe("b-v1");
    expect(r2S3.current("ara-prod-reports", "reports/d e+f.pdf")!.body.toString()).toBe(
      "d-v1 with spaces",
    );
    expect(r2S3.current("ara-prod-reports", "reports/c.pdf")).toBeUndefined();
    expect(r2S3.current("ara-prod-reports", "other/x.pdf")).toBeUndefined();
    expect(report.copied).toBe(3);
    expect(report.bytes).toBe("a-v2 longer".length + "b-v1".length + "d-v1 with spaces".length);
    // The copy says where it came from: what makes a re-run resumable.
    const a = r2S3.current("ara-prod-reports", "reports/a.pdf")!;
    expect(a.meta["restored-version-id"]).toBe(report.objects[0]!.versionId);
    expect(a.contentType).toBe("application/pdf");
  });

  it("a later --as-of sees the delete marker and the newer versions", async () => {
    history();
    const report = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-10T00:00:00Z"),
      dryRun: false,
    });
    expect(Object.fromEntries(report.objects.map((o) => [o.key, o.action]))).toEqual({
      "reports/a.pdf": "copy",
      "reports/b.pdf": "skip-deleted-at-as-of",
      "reports/c.pdf": "copy",
      "reports/d e+f.pdf": "copy",
    });
    expect(r2S3.current("ara-prod-reports", "reports/a.pdf")!.body.toString()).toBe("a-v3");
    // Exactly at a version's time counts as current.
    const exact = versionsAsOf(
      [
        {
          key: "k",
          versionId: "1",
          lastModified: t("2026-11-01T00:00:00Z"),
          etag: "",
          size: 1,
          deleteMarker: false,
        },
      ],
      t("2026-11-01T00:00:00Z"),
    );
    expect(exact.get("k")?.versionId).toBe("1");
  });

  it("a dry run lists the plan and writes nothing", async () => {
    history();
    const report = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-10T00:00:00Z"),
      dryRun: true,
    });
    expect(report.counts.copy).toBe(3);
    expect(report.copied).toBe(0);
    expect(r2S3.requests.filter((r) => r.method === "PUT")).toEqual([]);
  });

  it("resumes: a second run after a partial failure copies only what is missing", async () => {
    history();
    r2S3.failPuts = 99; // every PUT fails…
    const first = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-10T00:00:00Z"),
      dryRun: false,
      concurrency: 1,
    });
    expect(first.ok).toBe(false);
    expect(first.failed.map((f) => f.key)).toEqual([
      "reports/a.pdf",
      "reports/c.pdf",
      "reports/d e+f.pdf",
    ]);
    expect(first.failed[0]!.error).toMatch(
      /PUT ara-prod-reports\/reports\/a.pdf: HTTP 503 SlowDown/,
    );
    r2S3.failPuts = 0;
    r2S3.seed("ara-prod-reports", "reports/c.pdf", "c-v1", new Date()); // identical already
    const second = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-10T00:00:00Z"),
      dryRun: false,
    });
    expect(second.ok).toBe(true);
    expect(second.counts).toMatchObject({ copy: 2, "skip-identical": 1 });
    const third = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-10T00:00:00Z"),
      dryRun: false,
    });
    expect(third.counts).toMatchObject({
      copy: 0,
      "skip-already-restored": 2,
      "skip-identical": 1,
    });
    expect(third.copied).toBe(0);
  });

  it("a body that does not match its version's checksum is never written", async () => {
    history();
    replicaS3.corrupt.add("reports/a.pdf");
    const report = await restoreStorage({
      replica,
      r2,
      prefix: "reports/",
      asOf: t("2026-11-10T00:00:00Z"),
      dryRun: false,
    });
    expect(report.ok).toBe(false);
    expect(report.failed).toEqual([
      {
        key: "reports/a.pdf",
        error: expect.stringMatching(/^checksum mismatch: .* nothing was written$/),
      },
    ]);
    expect(r2S3.current("ara-prod-reports", "reports/a.pdf")).toBeUndefined();
    expect(report.copied).toBe(2);
  });
});

/** The CLIs read their endpoints and credentials from the environment, as the workflows set them. */
function cliEnv(extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    ARA_REPLICA_ENDPOINT: replicaS3.endpoint,
    ARA_REPLICA_BUCKET: R,
    AWS_ACCESS_KEY_ID: KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    ARA_R2_ENDPOINT: r2S3.endpoint,
    R2_ACCESS_KEY_ID: KEY,
    R2_SECRET_ACCESS_KEY: SECRET,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
}

/** Runs a CLI's main() in this process, capturing what it prints. */
async function runMain(main: (argv: string[]) => Promise<number>, argv: string[]) {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe("npm run restore -- storage, through the CLI", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("plans with --dry-run, then restores with --yes into the stack's R2 bucket", async () => {
    history();
    cliEnv();
    const args = ["storage", "--stack", "prod", "--as-of", "2026-11-05T12:00:00Z"];
    const plan = await runMain(restoreMain, [...args, "--dry-run"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /^storage restore, stack prod, reports\/ as of 2026-11-05T12:00:00\.000Z \(dry run: nothing written\)$/m,
    );
    expect(plan.stdout).toMatch(
      /^ {2}copy +reports\/a\.pdf {2}version \S+ \(2026-11-05T10:00:00\.000Z\)$/m,
    );
    expect(r2S3.requests.filter((r) => r.method === "PUT")).toEqual([]);

    const run = await runMain(restoreMain, [...args, "--yes", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ stack: "prod", ok: true, copied: 3, dryRun: false });
    // The default bucket is the stack's own (physical name ara-prod-reports).
    expect(r2S3.current("ara-prod-reports", "reports/a.pdf")!.body.toString()).toBe("a-v2 longer");
    expect(r2S3.current("ara-prod-reports", "reports/c.pdf")).toBeUndefined();
  });

  it("exits 1 and lists the objects R2 refused", async () => {
    history();
    cliEnv();
    r2S3.failPuts = 99;
    const run = await runMain(restoreMain, ["storage", "--stack", "prod", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^ {2}FAILED reports\/a\.pdf: PUT ara-prod-reports\/reports\/a\.pdf: HTTP 503 SlowDown/m,
    );
  });

  it("a missing credential exits 2 naming the variable", async () => {
    cliEnv({ R2_SECRET_ACCESS_KEY: "" });
    const run = await runMain(restoreMain, ["storage", "--stack", "prod", "--dry-run"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^R2_SECRET_ACCESS_KEY must be set/);
  });
});

describe("storage integrity check", () => {
  let sns: Server;
  let published: Array<{ verdict: string; body: URLSearchParams }>;
  let snsUrl: string;
  beforeEach(async () => {
    published = [];
    sns = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
        );
        const verdict = verify(
          { method: req.method, url: req.url, headers, body },
          { region: "us-east-1", secrets: { [KEY]: SECRET }, service: "sns" },
        );
        published.push({ verdict, body: new URLSearchParams(body.toString()) });
        res
          .writeHead(200, { "content-type": "text/xml" })
          .end(
            "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>",
          );
      });
    });
    await new Promise<void>((r) => sns.listen(0, "127.0.0.1", r));
    snsUrl = `http://127.0.0.1:${(sns.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise((r) => sns.close(r)));

  const alert = () => ({
    endpoint: snsUrl,
    topicArn: "arn:aws:sns:us-east-1:123456789012:ara-prod-alerts",
    region: "us-east-1",
    accessKeyId: KEY,
    secretAccessKey: SECRET,
  });

  function mirrored(n: number) {
    for (let i = 0; i < n; i++) {
      const body = `report ${i}`;
      const o = r2S3.seed("ara-prod-reports", `reports/${i}.pdf`, body, new Date());
      replicaS3.seed(R, `reports/${i}.pdf`, body, new Date(), {
        "r2-etag": o.etag.replace(/"/g, ""),
      });
    }
  }

  it("passes when every sampled copy matches, and sends nothing", async () => {
    mirrored(10);
    const report = await checkIntegrity({
      r2,
      replica,
      prefix: "reports/",
      sample: 10,
      alert: alert(),
      stack: "prod",
    });
    expect(report).toMatchObject({ ok: true, sampled: 10, of: 10, problems: [], alerted: false });
    expect(published).toEqual([]);
  });

  it("a differing or missing copy is published to the alert topic", async () => {
    mirrored(6);
    replicaS3.seed(R, "reports/2.pdf", "report 2 but changed", new Date(), {
      "r2-etag": "0".repeat(32),
    });
    r2S3.seed("ara-prod-reports", "reports/only-in-r2.pdf", "lonely", new Date());
    const report = await checkIntegrity({
      r2,
      replica,
      prefix: "reports/",
      sample: 100,
      alert: alert(),
      stack: "prod",
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(2);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        { key: "reports/2.pdf", problem: "size 8 in R2, 20 in the replica" },
        { key: "reports/only-in-r2.pdf", problem: "no copy in the replica" },
      ]),
    );
    expect(published).toHaveLength(1);
    expect(published[0]!.verdict).toBe("ok");
    expect(published[0]!.body.get("TopicArn")).toBe(
      "arn:aws:sns:us-east-1:123456789012:ara-prod-alerts",
    );
    expect(published[0]!.body.get("Subject")).toBe(
      "[ara prod] report integrity check: 2 of 7 sampled objects differ",
    );
    expect(published[0]!.body.get("Message")).toContain(
      "- reports/only-in-r2.pdf: no copy in the replica",
    );
  });

  describe("npm run drill -- integrity, through the CLI", () => {
    afterEach(() => vi.unstubAllEnvs());
    const topic = "arn:aws:sns:us-east-1:123456789012:ara-prod-alerts";

    it("passes on matching copies: exit 0, nothing published", async () => {
      mirrored(5);
      cliEnv({ ARA_ALERT_TOPIC_ARN: topic, ARA_SNS_ENDPOINT: snsUrl });
      const run = await runMain(drillMain, [
        "integrity",
        "--stack",
        "prod",
        "--sample",
        "3",
        "--json",
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, sampled: 3, of: 5, problems: [] });
      expect(published).toEqual([]);
    });

    it("a differing copy: exit 1, the report names it, the alert topic gets it", async () => {
      mirrored(4);
      replicaS3.seed(R, "reports/1.pdf", "report 1, altered", new Date(), {
        "r2-etag": "0".repeat(32),
      });
      cliEnv({ ARA_ALERT_TOPIC_ARN: topic, ARA_SNS_ENDPOINT: snsUrl });
      const run = await runMain(drillMain, ["integrity", "--stack", "prod", "--sample", "100"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^integrity check, stack prod: FAILED, 4 of 4 objects sampled, alert published\n {2}reports\/1\.pdf: size 8 in R2, 17 in the replica$/m,
      );
      expect(published).toHaveLength(1);
      expect(published[0]!.verdict).toBe("ok");
      expect(published[0]!.body.get("TopicArn")).toBe(topic);
    });
  });
});

describe("bad input exits 2 naming the argument", () => {
  let err: string;
  beforeEach(() => {
    err = "";
    vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [
      ["storage", "--stack", "prod", "--as-of", "2999-01-01T00:00:00Z", "--dry-run"],
      /--as-of 2999-01-01T00:00:00Z is in the future/,
    ],
    [
      ["storage", "--stack", "prod", "--as-of", "last tuesday", "--dry-run"],
      /--as-of 'last tuesday' is not a time/,
    ],
    [["storage", "--stack", "qa"], /--stack 'qa' is unknown: there is no Pulumi\.qa\.yaml/],
    [
      ["storage", "--stack", "prod"],
      /--yes is required for --stack prod: the restore writes reports into the production R2 bucket/,
    ],
    [["storage"], /--stack is required/],
    [
      ["storage", "--stack", "prod", "--as-of", "2999-01-01T00:00:00+02:00", "--dry-run"],
      /--as-of 2999-01-01T00:00:00\+02:00 is in the future/,
    ],
    // Date.parse would read these as 2 March and the next day; a restore point must be exact.
    [
      ["storage", "--stack", "prod", "--as-of", "2026-02-30T10:00:00Z", "--dry-run"],
      /--as-of '2026-02-30T10:00:00Z' is not a time \(2026-02 has 28 days\): give an ISO 8601 instant/,
    ],
    [
      ["storage", "--stack", "prod", "--as-of", "2026-11-20T24:00:00Z", "--dry-run"],
      /--as-of '2026-11-20T24:00:00Z' is not a time \(hours run from 00 to 23\)/,
    ],
    [
      ["storage", "--stack", "prod", "--as-of", "2026-11-20", "--dry-run"],
      /--as-of '2026-11-20' is not a time: give an ISO 8601 instant with a zone/,
    ],
  ])("npm run restore -- %j", async (args, message) => {
    expect(await restoreMain(args as string[])).toBe(2);
    expect(err).toMatch(message);
  });

  it.each([
    [
      ["database", "--stack", "staging", "--restore-point", "2999-01-01T00:00:00Z"],
      /--restore-point 2999-01-01T00:00:00Z is in the future/,
    ],
    [
      ["database", "--stack", "staging", "--restore-point", "2026-13-45"],
      /--restore-point '2026-13-45' is not a time/,
    ],
    [["database", "--stack", "nope"], /--stack 'nope' is unknown/],
    [["database", "--stack", "prod"], /--yes is required for --stack prod/],
    [
      [
        "database",
        "--stack",
        "staging",
        "--backup",
        "latest",
        "--restore-point",
        "2026-11-01T00:00:00Z",
      ],
      /--backup and --restore-point exclude each other/,
    ],
    [
      ["database", "--stack", "staging", "--restore-point", "2024-02-30T10:00Z"],
      /--restore-point '2024-02-30T10:00Z' is not a time \(2024-02 has 29 days\)/,
    ],
    [["integrity", "--stack", "qa"], /--stack 'qa' is unknown: there is no Pulumi\.qa\.yaml/],
    [["integrity"], /--stack is required/],
    [["integrity", "--stack", "prod", "--sample", "0"], /--sample must be a whole number/],
  ])("npm run drill -- %j", async (args, message) => {
    expect(await drillMain(args as string[])).toBe(2);
    expect(err).toMatch(message);
  });
});
