import { resolveStackConfig } from "../stacks/load";
import type { StackConfig } from "../stacks/schema";

/**
 * What stack the pack is judging, and that stack's validated configuration (preset applied).
 * The budget, usage assumptions and TLS floor come from here, so the pack and the program
 * read the same numbers from the same `Pulumi.<stack>.yaml`.
 */
export interface StackContext {
  stack: string;
  /** Absent when the stack's `ara:*` config could not be resolved; `error` says why. */
  config?: StackConfig;
  error?: string;
}

/** Policies ask for the context when they run: the pack process resolves it once, lazily. */
export type ContextSource = () => StackContext;

/**
 * Turns Pulumi's flattened config map (`{"ara:environment":"prod","ara:usage":"{...}"}`) into a
 * context. Placeholder identifiers are accepted: the pack reads budgets and settings, and the
 * program itself refuses placeholders on a real run.
 */
export function contextFromConfig(stack: string, raw: Record<string, string>): StackContext {
  try {
    return { stack, config: resolveStackConfig(raw, { stack, offline: true }) };
  } catch (err) {
    return { stack, error: (err as Error).message };
  }
}

/**
 * The context inside the analyzer process the Pulumi CLI starts: it passes the stack's config
 * (secrets decrypted) as JSON in `PULUMI_CONFIG` and the stack name in `PULUMI_NODEJS_STACK`.
 */
export function contextFromEnvironment(env: NodeJS.ProcessEnv = process.env): ContextSource {
  let cached: StackContext | undefined;
  return () => {
    if (cached) return cached;
    const stack = env.PULUMI_NODEJS_STACK ?? "";
    const text = env.PULUMI_CONFIG;
    if (!text) {
      cached = {
        stack,
        error:
          "the Pulumi CLI passed no stack config (PULUMI_CONFIG is empty); run the pack with `pulumi preview --policy-pack policies` from the project directory",
      };
      return cached;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      cached = { stack, error: "PULUMI_CONFIG is not valid JSON" };
      return cached;
    }
    cached = contextFromConfig(stack, raw as Record<string, string>);
    return cached;
  };
}
