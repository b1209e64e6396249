import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    {
      // Font files load as their bytes, as esbuild's binary loader does in build.mjs.
      name: "ttf-as-bytes",
      enforce: "pre",
      load(id) {
        if (!id.endsWith(".ttf")) return null;
        const b64 = readFileSync(id).toString("base64");
        return `export default new Uint8Array(Buffer.from(${JSON.stringify(b64)}, "base64"));`;
      },
    },
  ],
  test: {
    name: "web",
    include: ["test/**/*.test.ts"],
    // Starts one PostgreSQL, one Redis and the signer (the worker under Miniflare) for the
    // whole project, and builds the artifacts the tests load (dist/, .vercel/output/).
    globalSetup: ["test/harness/global-setup.ts"],
    sequence: { groupOrder: 2 },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only fight over CPU with PostgreSQL and workerd.
    maxWorkers: 2,
  },
});
