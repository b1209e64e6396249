import * as path from "node:path";
import contract from "../../app/worker/contract.json";

/**
 * The worker app's contract (app/worker/contract.json), as the Pulumi components read it.
 * The worker's source reads the same file, and app/worker/test/contract.test.ts checks that
 * the two agree, so a binding renamed on one side cannot deploy silently broken.
 */
export const WORKER_CONTRACT = contract;

/** The worker package, relative to the project root (Pulumi's working directory). */
export const WORKER_PACKAGE_DIR = "app/worker";

/** Signer bundle path relative to the project root, as the provider will read it. */
export const SIGNER_BUNDLE = path.posix.join(WORKER_PACKAGE_DIR, contract.script);

/** Replicator bundle path relative to the project root. */
export const REPLICATOR_BUNDLE = path.posix.join(WORKER_PACKAGE_DIR, contract.replicator.script);

/** R2 event actions that create a new object; the replicator copies exactly these. */
export const REPLICATED_EVENT_ACTIONS: readonly string[] = contract.replicator.eventActions;
