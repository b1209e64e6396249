import { transform } from "esbuild";
import { supportedCompatibilityDate } from "miniflare";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { build } from "../build.mjs";
import contract from "../contract.json";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `env.NAME` reads in a bundle, with comments stripped first (Hono's JSDoc mentions env.COUNTER). */
async function envReads(file: string): Promise<string[]> {
  const code = (await transform(await readFile(file, "utf8"), { minifyWhitespace: true })).code;
  return [...new Set([...code.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1]!))].sort();
}

/** The keys an interface of src/env.ts declares, read from its source. */
async function interfaceKeys(name: string): Promise<string[]> {
  const file = join(root, "src/env.ts");
  const source = ts.createSourceFile(file, await readFile(file, "utf8"), ts.ScriptTarget.ES2022);
  const decl = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (!decl) throw new Error(`src/env.ts declares no interface ${name}`);
  return decl.members.map((m) => (m.name as ts.Identifier).text).sort();
}

describe("contract.json", () => {
  it.each([
    ["Env", contract.bindings],
    ["ReplicatorEnv", contract.replicator.bindings],
  ] as const)("names exactly the bindings src/env.ts types as %s", async (name, bindings) => {
    expect(await interfaceKeys(name)).toEqual(Object.values(bindings).sort());
  });

  it.each([
    ["signer", contract],
    ["replicator", contract.replicator],
  ] as const)("classifies every %s binding exactly once", (_name, part) => {
    const classified = [...part.r2Buckets, ...part.secrets, ...part.plainText];
    expect(new Set(classified).size).toBe(classified.length);
    expect([...classified].sort()).toEqual(Object.values(part.bindings).sort());
    for (const name of Object.keys(part.defaults)) expect(part.plainText).toContain(name);
  });

  it("keeps the documented defaults", () => {
    expect(contract.defaults).toEqual({
      URL_TTL_SECONDS: 900,
      MAX_UPLOAD_BYTES: 26214400,
      ALLOWED_CONTENT_TYPES: "application/pdf",
    });
    expect(contract.replicator.defaults).toEqual({ REPLICA_REGION: "us-west-2" });
    expect(contract.replicator.eventActions).toEqual([
      "PutObject",
      "CopyObject",
      "CompleteMultipartUpload",
    ]);
  });

  it("uses a compatibility date the pinned workerd supports", () => {
    expect(contract.compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(contract.compatibilityDate <= supportedCompatibilityDate).toBe(true);
  });

  it.each([
    ["signer", contract.script, contract.mainModule, contract.bindings],
    [
      "replicator",
      contract.replicator.script,
      contract.replicator.mainModule,
      contract.replicator.bindings,
    ],
  ])(
    "%s bundle reads exactly the contract's bindings",
    async (_name, script, mainModule, bindings) => {
      expect(basename(script)).toBe(mainModule);
      expect(await envReads(join(root, script))).toEqual(Object.values(bindings).sort());
    },
  );
});

describe("bundles", () => {
  it("are single ES modules with a default export and no imports", async () => {
    for (const script of [contract.script, contract.replicator.script]) {
      const code = await readFile(join(root, script), "utf8");
      expect(code).not.toMatch(/^\s*import\s/m);
      expect(code).not.toMatch(/\brequire\(/);
      expect(code).toMatch(/export\s*\{[^}]*\bas default\b[^}]*\}/);
    }
  });

  it("build byte-identically, twice, to what dist/ holds", async () => {
    const dirs = [
      await mkdtemp(join(tmpdir(), "ara-worker-a-")),
      await mkdtemp(join(tmpdir(), "ara-worker-b-")),
    ];
    try {
      const [a, b] = [await build(dirs[0]), await build(dirs[1])];
      for (const name of ["index", "replicator"] as const) {
        const bytesA = await readFile(a[name]);
        expect(bytesA.equals(await readFile(b[name]))).toBe(true);
        expect(bytesA.equals(await readFile(join(root, "dist", `${name}.js`)))).toBe(true);
      }
    } finally {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});
