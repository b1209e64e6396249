export { Cache, type CacheArgs } from "./cache";
export { stateful, type ComponentContext, type Protection } from "./conventions";
export { Database, type DatabaseArgs, type DatabaseBackupArgs } from "./database";
export { Edge, type CloudflarePlan, type EdgeArgs } from "./edge";
export { Monitoring, type HealthEndpoint, type MonitoringArgs } from "./monitoring";
export {
  Storage,
  type ReportReplication,
  type StorageArgs,
  type StorageReplicaArgs,
} from "./storage";
export { WebApp, type AppVariable, type WebAppArgs } from "./web-app";
export { SignerWorker, type ReportsStorage, type SignerWorkerArgs } from "./worker";
export type { WorkerBinding } from "./worker/bindings";
