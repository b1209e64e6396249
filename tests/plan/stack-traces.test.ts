import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../offline/engine";

// Runs in a fresh process registered exactly as the plan registers ts-node, so the trace
// formatter under test is ts-node's source-map-support and not vitest's own.
function firstFrames(env: Record<string, string | undefined> = {}) {
  const script = `
    require(${JSON.stringify(path.join(ROOT, "offline", "register-ts.js"))}).registerLikePulumi(${JSON.stringify(ROOT)});
    const f = require(${JSON.stringify(path.join(ROOT, "tests", "fixtures", "stack-traces", "frames.ts"))});
    require(${JSON.stringify(path.join(ROOT, "offline", "engine.ts"))}).skipMappingOfPromiseBookkeeping();
    const frame = (stack) => stack.split("\\n")[1].trim();
    console.log(JSON.stringify({ bookkeeping: frame(f.debuggablePromise()), program: frame(f.programError()) }));
  `;
  const out = execFileSync(process.execPath, ["-e", script], {
    cwd: ROOT,
    env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "", ...env },
    encoding: "utf8",
  });
  return JSON.parse(out) as { bookkeeping: string; program: string };
}

describe("stack traces in the plan", () => {
  it("still maps an error the program raises to its TypeScript line", () => {
    expect(firstFrames().program).toMatch(/frames\.ts:18:\d+\)$/);
  });

  it("leaves the SDK's promise bookkeeping traces unmapped", () => {
    const { bookkeeping } = firstFrames();
    expect(bookkeeping).toMatch(/frames\.ts:\d+:\d+\)$/);
    expect(bookkeeping).not.toMatch(/frames\.ts:14:\d+\)$/);
  });

  it("maps every trace when PULUMI_DEBUG_PROMISE_LEAKS asks for them", () => {
    expect(firstFrames({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }).bookkeeping).toMatch(
      /frames\.ts:14:\d+\)$/,
    );
  });
});
