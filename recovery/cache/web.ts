// What the cache drill takes from the web app: the built server and local service starters
// (app/web/dist, the same files `npm run bench -w app/web` runs), and the Redis swap of the web
// tests (app/web/test/harness/redis-swap.ts). app/web is an ES module package written in
// TypeScript and the drill runs under the CommonJS ts-node path of the other CLIs, so the
// built bundle is imported as an ES module, and the swap is compiled with esbuild (as
// recovery/database/migrations.ts compiles the app's migrations).
import { existsSync } from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { buildSync } from "esbuild";

export const WEB_DIR = path.resolve(__dirname, "../../app/web");
export const SERVER_SCRIPT = path.join(WEB_DIR, "dist", "server.js");
const LOCAL_BUNDLE = path.join(WEB_DIR, "dist", "local.js");
const SWAP_SOURCE = path.join("test", "harness", "redis-swap.ts");

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export interface LocalPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface LocalSigner {
  url: string;
  token: string;
  dispose(): Promise<void>;
}

/** app/web/src/local, as built into dist/local.js. */
export interface LocalServices {
  startPostgres(options?: { database?: string }): Promise<LocalPostgres>;
  startSigner(options: { token: string; signingKey: string }): Promise<LocalSigner>;
  workerPaths(): { dir: string; script: string };
  freePort(): Promise<number>;
}

export interface OwnRedis<App> {
  redis: LocalRedis;
  app: App;
  close(): Promise<void>;
}

/** app/web/test/harness/redis-swap.ts. */
export interface RedisSwap {
  withOwnRedis<App extends { close(): Promise<void> }>(
    startApp: (redisUrl: string) => Promise<App>,
  ): Promise<OwnRedis<App>>;
  emptyFailover(redis: LocalRedis): Promise<void>;
}

export async function localServices(): Promise<LocalServices> {
  if (!existsSync(LOCAL_BUNDLE) || !existsSync(SERVER_SCRIPT)) {
    throw new Error(
      `${path.relative(process.cwd(), SERVER_SCRIPT)} or dist/local.js is missing: build the app with \`npm run build -w app/web\` (or run the drill without --skip-build)`,
    );
  }
  return (await import(LOCAL_BUNDLE)) as LocalServices;
}

/**
 * An app/web TypeScript module, compiled to CommonJS; the packages it imports load from app/web's
 * own dependencies, as they would in the app.
 */
export function loadWebSource<T>(file: string): T {
  const source = path.join(WEB_DIR, file);
  const out = buildSync({
    entryPoints: [source],
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    logLevel: "silent",
  });
  const m = new Module(source) as Module & { _compile(code: string, file: string): void };
  m.filename = source;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    path.dirname(source),
  );
  m._compile(out.outputFiles[0]!.text, source);
  return m.exports as T;
}

export function redisSwap(): RedisSwap {
  const swap = loadWebSource<Partial<RedisSwap>>(SWAP_SOURCE);
  if (typeof swap.withOwnRedis !== "function" || typeof swap.emptyFailover !== "function") {
    throw new Error(`${SWAP_SOURCE} no longer exports withOwnRedis and emptyFailover`);
  }
  return swap as RedisSwap;
}
