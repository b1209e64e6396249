export { Cache, type CacheArgs } from "./cache";
export {
  Storage,
  type ReportReplication,
  type StorageArgs,
  type StorageReplicaArgs,
} from "./storage";
export { stateful, type ComponentContext, type Protection } from "./conventions";
