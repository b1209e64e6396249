import type { REPLICATOR_BINDINGS, SIGNER_BINDINGS } from "./contract";

/** A plain-text var: a string in production, but local tools may pass numbers. */
export type PlainVar = string | number | undefined;

/** Bindings of the signer (src/index.ts). Names must match contract.json `bindings`. */
export interface Env {
  REPORTS: R2Bucket;
  SIGNING_KEY: string;
  SIGNER_TOKEN: string;
  URL_TTL_SECONDS?: PlainVar;
  MAX_UPLOAD_BYTES?: PlainVar;
  ALLOWED_CONTENT_TYPES?: PlainVar;
}

/** Bindings of the replicator (src/replicator.ts). Names must match contract.json `replicator.bindings`. */
export interface ReplicatorEnv {
  REPORTS: R2Bucket;
  REPLICA_BUCKET: string;
  REPLICA_REGION?: PlainVar;
  REPLICA_ENDPOINT?: PlainVar;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

// Compile-time agreement between the Env types and the contract names: `npm run typecheck`
// fails if a binding is added to Env without contract.json (and so without Pulumi), or the
// other way round.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Names<T> = T[keyof T];
export const envMatchesContract: Same<keyof Env, Names<typeof SIGNER_BINDINGS>> = true;
export const replicatorEnvMatchesContract: Same<
  keyof ReplicatorEnv,
  Names<typeof REPLICATOR_BINDINGS>
> = true;
