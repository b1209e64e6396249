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
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderOptions } from "./common";

export type ProviderKind = "database" | "branch" | "role" | "backupPolicy";

let bundled: { source: string; digest: string } | undefined;

/** The provider modules (./providers.ts and everything it imports) as one CommonJS module. */
export function providerBundle(): { source: string; digest: string } {
  if (!bundled) {
    // esbuild is required here, not at module scope: only a program run needs it.
    const { buildSync } = require("esbuild") as typeof import("esbuild");
    const result = buildSync({
      entryPoints: [path.join(__dirname, "providers.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      write: false,
      logLevel: "silent",
      legalComments: "none",
    });
    const source = result.outputFiles[0]!.text;
    bundled = { source, digest: createHash("sha256").update(source).digest("hex").slice(0, 16) };
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
