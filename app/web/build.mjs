// Builds, offline and deterministically:
//   dist/server.js             the Node server (node dist/server.js)
//   dist/dev.js                the local development launcher (npm run dev; --dev builds only it)
//   .vercel/output/            the Vercel Build Output API v3 artifact that Pulumi deploys
// See docs/decisions/0005-vercel-prebuilt-build-output.md for why.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const NODE_RUNTIME = "nodejs20.x";
export const FUNCTION_DIR = "functions/api.func";

// CommonJS dependencies (pg, ioredis, pino) call require() for Node built-ins; an ESM bundle
// needs a real require for that.
const banner = {
  js: 'import { createRequire as __araCreateRequire } from "node:module"; const require = __araCreateRequire(import.meta.url);',
};

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  banner,
  // pg tries the optional native binding inside a try/catch; it is never installed.
  external: ["pg-native"],
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: here,
  // Keep output byte-identical across machines: no absolute paths, no timestamps, no metafile.
  sourcemap: false,
  minify: false,
  define: { "process.env.NODE_ENV": '"production"' },
  // The report's fonts (src/report.ts) travel inside each bundle as bytes.
  loader: { ".ttf": "binary" },
};

async function writeJson(file, value) {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2) + "\n");
}

export async function buildAll({ outRoot = here } = {}) {
  // Other processes run these files while we build (`npm run dev` during `npm test`, two test
  // runs at once): everything is built in a private directory and then renamed into place file
  // by file, so a reader sees the old file or the new one, never none and never half of one.
  // Under .vercel/, which git and the linters ignore, in case a killed build leaves it behind.
  const staging = path.join(outRoot, ".vercel", "staging");
  await mkdir(staging, { recursive: true });
  const stage = await mkdtemp(path.join(staging, "build-"));
  try {
    const built = await buildInto(path.join(stage, "dist"), path.join(stage, "output"));
    await publish(path.join(stage, "dist"), path.join(outRoot, "dist"));
    await publish(path.join(stage, "output"), path.join(outRoot, ".vercel", "output"));
    return {
      dist: path.join(outRoot, "dist"),
      output: path.join(outRoot, ".vercel", "output"),
      digest: built.digest,
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

// Moves every file of `from` to the same place under `to` with rename(2), which replaces an
// existing file atomically, then removes the files of `to` this build did not produce.
export async function publish(from, to) {
  const files = await listFiles(from);
  for (const f of files) {
    await mkdir(path.dirname(path.join(to, f)), { recursive: true });
    await rename(path.join(from, f), path.join(to, f));
  }
  const keep = new Set(files);
  for (const f of await listFiles(to)) {
    if (!keep.has(f)) await rm(path.join(to, f), { force: true });
  }
}

async function listFiles(dir, prefix = "") {
  let entries;
  try {
    entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch (err) {
    if (err.code === "ENOENT") return [];
    throw err;
  }
  const out = [];
  for (const e of entries) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

const buildDevLauncher = (dist) =>
  build({
    ...common,
    entryPoints: ["src/local/dev.ts"],
    outfile: path.join(dist, "dev.js"),
    // PGlite loads its WebAssembly files from its own package directory and Miniflare ships
    // the workerd binary: both stay in node_modules.
    external: [...common.external, "@electric-sql/pglite", "@electric-sql/pglite/*", "miniflare"],
    define: {},
  });

// `node build.mjs --dev` (what `npm run dev` runs): dist/dev.js alone, about a third of the
// full build's time. The other outputs are left as they are.
export async function buildDev({ outRoot = here } = {}) {
  const staging = path.join(outRoot, ".vercel", "staging");
  await mkdir(staging, { recursive: true });
  const stage = await mkdtemp(path.join(staging, "dev-"));
  try {
    await buildDevLauncher(stage);
    await mkdir(path.join(outRoot, "dist"), { recursive: true });
    await rename(path.join(stage, "dev.js"), path.join(outRoot, "dist", "dev.js"));
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function buildInto(dist, output) {
  await build({ ...common, entryPoints: ["src/server.ts"], outfile: path.join(dist, "server.js") });
  await buildDevLauncher(dist);

  // Local service starters (PostgreSQL, redis-server, the worker under Miniflare) for the
  // benchmark, which is plain JavaScript.
  await build({
    ...common,
    entryPoints: ["src/local/index.ts"],
    outfile: path.join(dist, "local.js"),
    external: [...common.external, "miniflare"],
    define: {},
  });

  const fnDir = path.join(output, FUNCTION_DIR);
  await build({
    ...common,
    entryPoints: ["src/vercel.ts"],
    outfile: path.join(fnDir, "index.mjs"),
  });
  await writeJson(path.join(fnDir, ".vc-config.json"), {
    runtime: NODE_RUNTIME,
    handler: "index.mjs",
    launcherType: "Nodejs",
  });

  // Render the wizard page with the same code the Node server uses.
  const pageBundle = await build({
    ...common,
    entryPoints: ["src/page.ts"],
    write: false,
    outfile: "page.mjs",
    banner: {},
  });
  const pageModule = await import(
    "data:text/javascript;base64," + Buffer.from(pageBundle.outputFiles[0].text).toString("base64")
  );
  const page = pageModule.renderPage();
  await mkdir(path.join(output, "static"), { recursive: true });
  await writeFile(path.join(output, "static", "index.html"), page.html);

  await writeJson(path.join(output, "config.json"), {
    version: 3,
    routes: [
      {
        src: "^/(?:index\\.html)?$",
        headers: {
          "content-security-policy": page.csp,
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
        },
        continue: true,
      },
      { handle: "filesystem" },
      { src: "^/api/(.*)$", dest: "/api" },
    ],
  });
  return { digest: await digestTree(output) };
}

// A stable digest of a directory tree, printed so two builds can be compared by eye or in CI.
export async function digestTree(dir) {
  const hash = createHash("sha256");
  const walk = async (d) => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else hash.update(path.relative(dir, p) + "\0").update(await readFile(p));
    }
  };
  await walk(dir);
  return hash.digest("hex");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  if (process.argv.includes("--dev")) {
    await buildDev();
    process.stdout.write(`built app/web/dist/dev.js in ${Date.now() - started} ms\n`);
  } else {
    const { digest } = await buildAll();
    process.stdout.write(
      `built app/web/dist/server.js, dist/dev.js and .vercel/output (sha256 ${digest.slice(0, 16)}) in ${Date.now() - started} ms\n`,
    );
  }
}
