import * as pulumi from "@pulumi/pulumi";
import type { Namer } from "./naming";

/**
 * Conventions every ARA component follows (docs/architecture.md):
 * - its type token is `ara:<tier>:<Name>`;
 * - every child is created with `parent: this` and a logical name `${name}-<role>`;
 * - it registers narrow outputs with `registerOutputs` as its last step;
 * - stateful children get the stack's protection options from {@link stateful}.
 */

/** Everything a component needs from its environment besides its own settings. */
export interface ComponentContext {
  /** Physical-name builder for this stack (`ara-<stack>-<name>`). */
  names: Namer;
}

/** Protection for resources that hold data: set per environment in stacks/presets.ts. */
export interface Protection {
  protect: boolean;
  retainOnDelete: boolean;
}

/** Options for a stateful child: owned by `parent`, and protected where the stack says so. */
export function stateful(
  parent: pulumi.Resource,
  protection: Protection,
): pulumi.CustomResourceOptions {
  return { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete };
}
