// Why this file exists: Pulumi stores a dynamic provider in state by serializing the closure
// `() => provider` with its whole captured graph, walked function by function through the V8
// inspector. The PlanetScale providers reach ~100 functions each, which took about 2 s per
// provider, on every `pulumi preview`, `up`, and `npm run plan`.
//
// Here the provider handed to Pulumi captures one string instead: the provider modules
// bundled by esbuild into a single CommonJS module when the program starts. At deploy time
// the dynamic-provider host evaluates the closure, which compiles that module once per
// process and delegates every call to it. The code that runs is the same source, bundled.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderOptions } from "./common";

export type ProviderKind = "database" | "branch" | "role" | "backupPolicy";

let bundled: { source: string; digest: string } | undefined;

const ROOT = path.resolve(__dirname, "..", "..");
/**
 * The bundle's entry, relative to the repository root (esbuild's working directory). Derived
 * from this file's own location, so moving the provider folder cannot leave it stale.
 */
export const BUNDLE_ENTRY = path
  .relative(ROOT, path.join(__dirname, "providers.ts"))
  .split(path.sep)
  .join("/");
const BUILD_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  legalComments: "none",
} as const;
// Bundling starts esbuild's binary, about 0.1 s of every preview, update and plan. The bundle
// is cached by the content of every file esbuild read (its metafile), the tsconfig it may
// read, esbuild's version and the options, so a cached bundle is exactly a fresh one.
const CACHE_FILE = path.join(ROOT, "node_modules", ".cache", "ara-planetscale-provider.json");

interface CachedBundle {
  key: string;
  inputs: Record<string, string>;
  source: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function cacheKey(): string {
  const esbuildVersion = (require("esbuild/package.json") as { version: string }).version;
  const tsconfig = readFileSync(path.join(ROOT, "tsconfig.json"));
  return sha256(JSON.stringify([esbuildVersion, sha256(tsconfig), BUNDLE_ENTRY, BUILD_OPTIONS]));
}

function fromCache(key: string, cacheFile: string): string | undefined {
  try {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as CachedBundle;
    if (cached.key !== key) return undefined;
    for (const [file, digest] of Object.entries(cached.inputs)) {
      if (sha256(readFileSync(path.join(ROOT, file))) !== digest) return undefined;
    }
    return cached.source;
  } catch {
    return undefined; // no cache yet, or unreadable: build
  }
}

function build(key: string, cacheFile: string): string {
  // esbuild is required here, not at module scope: only a program run needs it.
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const result = buildSync({
    ...BUILD_OPTIONS,
    entryPoints: [BUNDLE_ENTRY],
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const source = withoutPathComments(result.outputFiles[0]!.text);
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => [
      file,
      sha256(readFileSync(path.join(ROOT, file))),
    ]),
  );
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    // Written aside and renamed, so a concurrent run never reads half a file.
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify({ key, inputs, source } satisfies CachedBundle));
    renameSync(partial, cacheFile);
  } catch {
    // A read-only checkout only loses the cache.
  }
  return source;
}

/**
 * esbuild marks each bundled module with a `// <path>.ts` line. The bundle's text is what
 * Pulumi stores in state and diffs, so a path in it would make moving a file look like new
 * provider code (an update of every PlanetScale resource); without the markers it depends on
 * the code alone.
 */
export function withoutPathComments(source: string): string {
  return source.replace(/^\/\/ [\w./@-]+\.[cm]?[jt]s\n/gm, "");
}

/** The bundle from `cacheFile` when every input is unchanged, else freshly built (and cached). */
export function loadBundle(cacheFile = CACHE_FILE): string {
  const key = cacheKey();
  return fromCache(key, cacheFile) ?? build(key, cacheFile);
}

/** The provider modules (./providers.ts and everything it imports) as one CommonJS module. */
export function providerBundle(): { source: string; digest: string } {
  if (!bundled) {
    const source = loadBundle();
    bundled = { source, digest: sha256(source).slice(0, 16) };
  }
  return bundled;
}

/**
 * A provider whose serialized form is small: it captures the bundle text, its kind and its
 * options (plain data; tests point `baseUrl` at a fake API).
 */
export function portableProvider(
  kind: ProviderKind,
  options: ProviderOptions = {},
): pulumi.dynamic.ResourceProvider {
  const { source, digest } = providerBundle();
  const optionsKey = JSON.stringify(options);
  const load = (): pulumi.dynamic.ResourceProvider => {
    const cache = globalThis as unknown as Record<
      string,
      Record<string, pulumi.dynamic.ResourceProvider>
    >;
    const key = `__araPlanetScale_${digest}_${kind}_${optionsKey}`;
    if (!cache[key]) {
      const Module = require("module");
      const mod = new Module(`planetscale-provider-${digest}.js`);
      mod.filename = `planetscale-provider-${digest}.js`;
      mod._compile(source, mod.filename);
      cache[key] = mod.exports.createPlanetScaleProviders(JSON.parse(optionsKey));
    }
    return cache[key]![kind]!;
  };
  return {
    check: (olds, news) => load().check!(olds, news),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read!(id, props),
    update: (id, olds, news) => load().update!(id, olds, news),
    delete: (id, props) => load().delete!(id, props),
  };
}
