import * as pulumi from "@pulumi/pulumi";
import { namer, type NameKind, type Namer } from "./naming";

/**
 * The base every ARA component extends (docs/architecture.md, "The program"):
 * - its type token is `ara:<tier>:<Name>`;
 * - every child is created with `parent: this` and a logical name `${name}-<role>`
 *   ({@link AraComponent.child});
 * - physical names are `ara-<stack>-<name>` in the provider's alphabet
 *   ({@link AraComponent.physical});
 * - stateful children get the stack's protection options ({@link stateful});
 * - it registers narrow outputs with `registerOutputs` as its last step.
 *
 * The naming helper is derived from the running project and stack, as `pulumi up` sees them,
 * so it never travels through resource options.
 */
export abstract class AraComponent extends pulumi.ComponentResource {
  /** Physical-name builder for this stack. */
  protected readonly names: Namer;
  /** The component's logical name; every child's name starts with it. */
  protected readonly baseName: string;

  constructor(
    type: `ara:${string}:${string}`,
    name: string,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, {}, opts);
    this.baseName = name;
    this.names = namer(pulumi.getProject(), pulumi.getStack());
  }

  /** The logical name of a child: `<component>-<role>`. */
  protected child(role: string): string {
    return `${this.baseName}-${role}`;
  }

  /** The physical name of a cloud resource: `ara-<stack>-<name>`, in `kind`'s alphabet. */
  protected physical(name: string, kind?: NameKind): string {
    return this.names.physical(name, kind);
  }
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
