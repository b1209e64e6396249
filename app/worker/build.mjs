// Bundles the two Workers into single ES modules: dist/index.js (signer) and
// dist/replicator.js (R2 -> S3 replicator). The Pulumi program deploys and hashes exactly
// these files, and the tests load exactly these files, so the output must be deterministic:
// no timestamps, no absolute paths, no source maps.
import { build as esbuild } from "esbuild";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export const ENTRIES = { index: "src/index.ts", replicator: "src/replicator.ts" };

/** Builds both bundles into `outdir` (default dist/) and returns their paths. */
export async function build(outdir = join(here, "dist")) {
  const outputs = {};
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const outfile = join(outdir, `${name}.js`);
    // One esbuild call per entry: each file must stand alone, with no shared chunks.
    const result = await esbuild({
      write: false,
      absWorkingDir: here,
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      minify: false,
      sourcemap: false,
      legalComments: "none",
      charset: "utf8",
      logLevel: "warning",
    });
    // esbuild would truncate and rewrite the file in place while the web app's tests or
    // `npm run dev` load it: write a private file and rename it over the old one (atomic).
    await mkdir(outdir, { recursive: true });
    const tmp = `${outfile}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, result.outputFiles[0].contents);
    await rename(tmp, outfile);
    outputs[name] = outfile;
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outputs = await build(process.argv[2]);
  for (const file of Object.values(outputs)) {
    const bytes = await readFile(file);
    console.log(`${file.slice(here.length + 1)}  ${bytes.length} bytes`);
  }
}
