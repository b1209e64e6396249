export { Cache, type CacheArgs } from "./cache";
export { Edge, type CloudflarePlan, type EdgeArgs } from "./edge";
export {
  Storage,
  type ReportReplication,
  type StorageArgs,
  type StorageReplicaArgs,
} from "./storage";
export { SignerWorker, type ReportsStorage, type SignerWorkerArgs } from "./worker";
export type { WorkerBinding } from "./worker/bindings";
export { stateful, type ComponentContext, type Protection } from "./conventions";
