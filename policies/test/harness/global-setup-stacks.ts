import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** JSON file with every committed stack's config and registrations (record-stacks.js). */
    stackRunsFile: string;
  }
}

/**
 * Runs the program once per test run for all three stacks, so the specs (one per policy) read
 * the same real graph instead of each running the program again.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), "ara-policy-stacks-"));
  const file = path.join(dir, "runs.json");
  execFileSync(process.execPath, [path.join(__dirname, "record-stacks.js"), file], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  project.provide("stackRunsFile", file);
  return () => rmSync(dir, { recursive: true, force: true });
}
