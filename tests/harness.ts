import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import {
  PROJECT,
  ROOT,
  runProgram,
  type CapturedResource,
  type ProgramRun,
} from "../offline/engine";
import { readStackFile } from "../offline/stack-file";

export type StackName = "dev" | "staging" | "prod";
export const STACKS: readonly StackName[] = ["dev", "staging", "prod"];

export interface PlanOptions {
  /** Extra or replaced config entries, e.g. `{ "ara:database": JSON.stringify({ replicas: 0 }) }`. */
  config?: Record<string, string>;
  /** Run as a real engine run (placeholders refused) instead of the offline plan. */
  offline?: boolean;
}

/** Runs the real program for a stack from its committed Pulumi.<stack>.yaml, under mocks. */
export async function planStack(stack: StackName, options: PlanOptions = {}): Promise<ProgramRun> {
  const file = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), PROJECT);
  return runProgram({
    stack,
    config: { ...file.config, ...options.config },
    secretKeys: file.secretKeys,
    offline: options.offline ?? true,
  });
}

/** Plans every committed stack once, in order (the mock monitor is process-global). */
export async function planAll(): Promise<Record<StackName, ProgramRun>> {
  const runs = {} as Record<StackName, ProgramRun>;
  for (const stack of STACKS) runs[stack] = await planStack(stack);
  return runs;
}

/** Resources of one type. */
export function ofType(run: ProgramRun, type: string): CapturedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The single resource of a type and logical name; fails loudly otherwise. */
export function one(run: ProgramRun, type: string, name?: string): CapturedResource {
  const found = run.resources.filter(
    (r) => r.type === type && (name === undefined || r.name === name),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`,
    );
  }
  return found[0]!;
}

export function byUrn(run: ProgramRun): Map<string, CapturedResource> {
  return new Map(run.resources.map((r) => [r.urn, r]));
}

export type ConfigEdit = (config: Record<string, unknown>) => void;

/**
 * Variants of the committed Pulumi.prod.yaml, for tests of what bad config does: each starts
 * from a fresh copy of its config map, so no edit leaks into the next test.
 */
export function prodVariants(prefix: string): {
  /** The temporary folder the variants are written to. */
  dir: string;
  /** Prod's config map after `edit`. */
  edited(edit: ConfigEdit): Record<string, unknown>;
  /** Writes prod's config after `edit` to `<dir>/<name>.yaml` and returns that path. */
  variant(name: string, edit: ConfigEdit): string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const committed = (
    parse(readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;
  const edited = (edit: ConfigEdit) => {
    const config = structuredClone(committed);
    edit(config);
    return config;
  };
  return {
    dir,
    edited,
    variant(name, edit) {
      const file = path.join(dir, `${name}.yaml`);
      writeFileSync(file, stringify({ config: edited(edit) }));
      return file;
    },
  };
}
