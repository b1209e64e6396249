import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import {
  BUNDLE_ENTRY,
  loadBundle,
  withoutPathComments,
} from "../../providers/planetscale/portable";
import { ROOT } from "../../offline/engine";

// The bundled provider is what Pulumi stores in state; a cache hit must be exactly the bundle
// a fresh build would make, and any changed input must force that fresh build.
const dir = mkdtempSync(path.join(tmpdir(), "ara-bundle-cache-"));
const read = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("the PlanetScale provider bundle cache", () => {
  it("builds once, records every input with its digest, then serves the same bytes", () => {
    const file = path.join(dir, "fresh.json");
    const built = loadBundle(file);
    expect(built).toContain("createPlanetScaleProviders");
    const cached = read(file);
    expect(cached.source).toBe(built);
    expect(Object.keys(cached.inputs)).toContain("providers/planetscale/providers.ts");
    expect(Object.values(cached.inputs).every((d) => /^[0-9a-f]{64}$/.test(String(d)))).toBe(true);
    expect(loadBundle(file)).toBe(built);
  });

  it("bundles from the entry beside portable.ts, wherever the provider folder lives", () => {
    expect(BUNDLE_ENTRY).toBe("providers/planetscale/providers.ts");
    expect(existsSync(path.join(ROOT, BUNDLE_ENTRY))).toBe(true);
  });

  it("holds no file paths, so moving a file does not change the code Pulumi stores", () => {
    const built = loadBundle(path.join(dir, "paths.json"));
    expect(built).not.toMatch(/^\/\/ .*planetscale\/.*\.ts$/m);
    expect(built).not.toContain("providers/planetscale/");
    expect(withoutPathComments("// a/b/c.ts\nconst x = 1; // keep.ts\n")).toBe(
      "const x = 1; // keep.ts\n",
    );
  });

  it("serves the cached source while every input still matches", () => {
    const file = path.join(dir, "hit.json");
    loadBundle(file);
    writeFileSync(file, JSON.stringify({ ...read(file), source: "/* from the cache */" }));
    expect(loadBundle(file)).toBe("/* from the cache */");
  });

  it("rebuilds when an input changed since the bundle was cached", () => {
    const file = path.join(dir, "stale.json");
    const built = loadBundle(file);
    const cached = read(file);
    const [first] = Object.keys(cached.inputs);
    cached.inputs[first!] = "0".repeat(64);
    writeFileSync(file, JSON.stringify({ ...cached, source: "/* stale */" }));
    expect(loadBundle(file)).toBe(built);
    expect(read(file).source).toBe(built);
  });

  it("rebuilds when esbuild, the tsconfig or the options changed (another key)", () => {
    const file = path.join(dir, "key.json");
    const built = loadBundle(file);
    writeFileSync(file, JSON.stringify({ ...read(file), key: "another", source: "/* old */" }));
    expect(loadBundle(file)).toBe(built);
  });

  it("rebuilds from an unreadable cache file", () => {
    const file = path.join(dir, "torn.json");
    writeFileSync(file, '{"key": "trunc');
    expect(loadBundle(file)).toContain("createPlanetScaleProviders");
  });
});
