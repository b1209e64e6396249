import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { freePort, repoRoot } from "./util";

// Runs the real signed-URL worker (app/worker/dist/index.js) under Miniflare with an in-memory
// R2 bucket. Binding names come from the worker's own contract file.

// The slice of Miniflare's API used here (its types live in the worker workspace).
type MiniflareCtor = new (options: Record<string, unknown>) => {
  ready: Promise<URL>;
  dispose(): Promise<void>;
};

export interface LocalSigner {
  url: string;
  token: string;
  dispose(): Promise<void>;
}

interface WorkerContract {
  compatibilityDate: string;
  script: string;
  r2Buckets: string[];
  bindings: { signingKey: string; signerToken: string };
}

export function workerPaths() {
  const dir = path.join(repoRoot(), "app", "worker");
  const contract = JSON.parse(
    readFileSync(path.join(dir, "contract.json"), "utf8"),
  ) as WorkerContract;
  return { dir, contract, script: path.join(dir, contract.script) };
}

export async function startSigner(options: {
  token: string;
  signingKey: string;
}): Promise<LocalSigner> {
  const { dir, contract, script } = workerPaths();
  if (!existsSync(script)) {
    throw new Error(
      `${script} is missing; build the worker first: \`npm run build -w app/worker\``,
    );
  }
  // miniflare is a dependency of the worker workspace; resolve it from there so this works
  // whether or not npm hoisted it.
  const resolved = createRequire(path.join(dir, "package.json")).resolve("miniflare");
  const { Miniflare } = (await import(pathToFileURL(resolved).href)) as {
    Miniflare: MiniflareCtor;
  };
  const port = await freePort();
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    // Module names are resolved relative to this root; the default (cwd) would put the
    // worker outside it when started from app/web.
    modulesRoot: path.dirname(script),
    compatibilityDate: contract.compatibilityDate,
    r2Buckets: contract.r2Buckets,
    bindings: {
      [contract.bindings.signingKey]: options.signingKey,
      [contract.bindings.signerToken]: options.token,
    },
    host: "127.0.0.1",
    port,
  });
  const url = await mf.ready;
  return {
    url: url.origin,
    token: options.token,
    dispose: () => mf.dispose(),
  };
}
