import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";

const PACK = path.resolve(__dirname, "..");
const ENTRY = path.join(PACK, "dist", "policies", "index.js");

function newest(dir: string, skip: (p: string) => boolean): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (skip(p)) continue;
    if (e.isDirectory()) t = Math.max(t, newest(p, skip));
    else if (e.name.endsWith(".ts") || e.name.endsWith(".json"))
      t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The pack process runs dist/ (package.json "main"), so the gRPC tests need it built from the
 * current sources: rebuild when any pack or stacks/ source is newer than the build.
 */
export default function setup(): void {
  const skip = (p: string) => /[/\\](node_modules|dist|test)$/.test(p);
  const sources = Math.max(newest(PACK, skip), newest(path.join(PACK, "..", "stacks"), skip));
  if (existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= sources) return;
  const tsc = require.resolve("typescript/bin/tsc", { paths: [PACK] });
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: PACK,
    stdio: "inherit",
  });
}
