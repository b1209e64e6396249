// The deploy-time path, end to end: the provider is compiled the way Pulumi's Node.js host
// compiles the program (ts-node, the root tsconfig, CommonJS; not vite, whose transforms break
// closure serialization), serialized with pulumi.runtime.serializeFunction in a plain `node`
// process, then rebuilt in a second, fresh process exactly as the dynamic-provider host does
// (`requireFromString(text).handler()`) and driven against the fake API on 127.0.0.1.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakePlanetScale } from "../fixtures/planetscale/fake-api";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../..");

// Child 1: load the TypeScript through the same ts-node registration as `pulumi up`, serialize.
const SERIALIZE = `
const path = require("node:path");
const fs = require("node:fs");
const [root, baseUrl, out] = process.argv.slice(2);
require(path.join(root, "offline/register-ts.js")).registerLikePulumi(root);
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [root] }));
const { createPlanetScaleProviders } = require(
  path.join(root, "providers/planetscale/providers.ts"),
);
// What the Resource classes hand to Pulumi: a small closure over the bundled providers.
const { portableProvider } = require(path.join(root, "providers/planetscale/portable.ts"));
const kinds = ["database", "branch", "role", "backupPolicy"];
(async () => {
  const options = { baseUrl, pollIntervalMs: 2, readyTimeoutMs: 5000, retryBaseMs: 1, maxAttempts: 3 };
  // The provider objects themselves (the code the bundle is built from) ...
  const direct = createPlanetScaleProviders(options);
  // ... and the portable form, with test settings and with the production defaults.
  const portable = Object.fromEntries(kinds.map((k) => [k, portableProvider(k, options)]));
  const defaults = Object.fromEntries(kinds.map((k) => [k, portableProvider(k)]));
  const result = { direct: {}, portable: {}, defaults: {} };
  for (const [group, providers] of Object.entries({ direct, portable, defaults })) {
    for (const [name, provider] of Object.entries(providers)) {
      const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
      result[group][name] = { text: sf.text, containsSecrets: sf.containsSecrets };
    }
  }
  fs.writeFileSync(out, JSON.stringify(result));
})().catch((e) => { console.error(e.stack || e); process.exit(1); });
`;

// Child 2: what pulumi-resource-pulumi-nodejs does with the __provider property.
const HOST = `
const fs = require("node:fs");
const { createRequire } = require("node:module");
const [root, file, group, name] = process.argv.slice(2);
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi", { paths: [root] }));
const requireFromString = pulumiRequire("require-from-string");
const texts = JSON.parse(fs.readFileSync(file, "utf8"))[group];
const creds = JSON.parse(process.env.PS_TEST_CREDS);
(async () => {
  const db = requireFromString(texts.database.text).handler();
  const news = { ...creds, organization: "acme", name, region: "us-east",
    clusterSize: "PS_10_AWS_ARM", replicas: 0 };
  const checked = await db.check({}, news);
  const bad = await db.check({}, { ...news, clusterSize: "PS-40" });
  const created = await db.create(checked.inputs);
  const read = await db.read(created.id, created.outs);
  const diff = await db.diff(created.id, created.outs, { ...checked.inputs, name: "renamed" });
  const role = requireFromString(texts.role.text).handler();
  const roleCreated = await role.create({ ...creds, organization: "acme", database: name,
    branch: "main", inheritedRoles: ["pg_read_all_data"] });
  let failure;
  const branch = requireFromString(texts.branch.text).handler();
  try {
    await branch.create({ ...creds, organization: "acme", database: name, name: "dev",
      deletionProtected: false });
  } catch (e) {
    failure = { name: e.name, status: e.status, message: e.message };
  }
  await db.delete(created.id, created.outs);
  process.stdout.write(JSON.stringify({
    checked, bad, created, read, diff, role: roleCreated.outs, failure,
  }));
})().catch((e) => { console.error(e.stack || e); process.exit(1); });
`;

describe("serialized provider (deploy-time round trip)", () => {
  let fake: FakePlanetScale;
  let dir: string;
  let file: string;
  let texts: any;

  // One fake and one serialization for the file: serializing is the slow part (seconds).
  beforeAll(async () => {
    fake = await FakePlanetScale.start();
    dir = mkdtempSync(join(tmpdir(), "planetscale-roundtrip-"));
    writeFileSync(join(dir, "serialize.cjs"), SERIALIZE);
    writeFileSync(join(dir, "host.cjs"), HOST);
    file = join(dir, "providers.json");
    await run(process.execPath, [join(dir, "serialize.cjs"), ROOT, fake.baseUrl, file], {
      cwd: ROOT,
    });
    texts = JSON.parse(readFileSync(file, "utf8"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
    expect(fake.violations, "requests/responses outside the PlanetScale spec").toEqual([]);
  });

  /** Rebuilds one group in a fresh process whose cwd is outside the repository. */
  async function host(group: string, name: string): Promise<any> {
    const { stdout } = await run(
      process.execPath,
      [join(dir, "host.cjs"), ROOT, file, group, name],
      {
        cwd: dir,
        env: {
          ...process.env,
          PS_TEST_CREDS: JSON.stringify({ serviceTokenId: fake.tokenId, serviceToken: fake.token }),
          PLANETSCALE_SERVICE_TOKEN: "",
          PLANETSCALE_SERVICE_TOKEN_ID: "",
        },
      },
    );
    return JSON.parse(stdout);
  }

  it("serializes to self-contained code without credentials", () => {
    for (const group of ["direct", "portable", "defaults"]) {
      for (const name of ["database", "branch", "role", "backupPolicy"]) {
        const { text, containsSecrets } = texts[group][name];
        expect(text, `${group}.${name}`).toMatch(/^exports\.handler = __f0;/);
        expect(containsSecrets).toBe(false);
        expect(text).not.toContain("__vite_ssr");
        // fetch and timers are globals. The direct form loads nothing; the portable form only
        // Node's own "module", to compile the bundled provider.
        const requires = text.match(/require\("[^"]+"\)/g) ?? [];
        expect(requires, `${group}.${name}`).toEqual(
          group === "direct" ? [] : ['require("module")'],
        );
        expect(text).not.toContain(fake.token);
      }
    }
    expect(texts.defaults.database.text).toContain("https://api.planetscale.com/v1");
  });

  it.each(["direct", "portable"])(
    "the %s providers run check/create/read/diff/delete and map errors when rebuilt",
    async (group) => {
      const name = `ara-roundtrip-${group}`;
      // The error path runs inside the serialized code too (error factories, message mapping).
      fake.inject({ operationId: "create_branch", status: 403 });
      const result = await host(group, name);

      expect(result.checked.failures).toEqual([]);
      expect(result.bad.failures).toEqual([
        { property: "clusterSize", reason: expect.stringContaining("PS_10_AWS_ARM") },
      ]);
      expect(result.created.id).toBe(`acme/${name}`);
      expect(result.created.outs).toMatchObject({ state: "ready", kind: "postgresql" });
      expect(result.read.props).toMatchObject({ name, clusterSize: "PS_10_AWS_ARM" });
      expect(result.diff).toMatchObject({ changes: true, replaces: ["name"] });
      expect(result.role).toMatchObject({
        host: "us-east.pg.psdb.cloud",
        databaseName: "postgres",
      });
      expect(result.role.connectionString).toMatch(
        /^postgresql:\/\/.+@us-east\.pg\.psdb\.cloud:5432\//,
      );
      expect(result.failure).toEqual({
        name: "PlanetScaleApiError",
        status: 403,
        message: expect.stringContaining(`lacks the \`create_branch\` access for database ${name}`),
      });
      expect(JSON.stringify(result.failure)).not.toContain(fake.token);
      const creates = fake.calls("create_database").filter((r) => (r.body as any).name === name);
      expect(creates).toHaveLength(1);
      expect(fake.databases.has(name)).toBe(false);
    },
  );
});
