export { startPostgres, findPostgresBinaries, type LocalPostgres } from "./postgres";
export {
  startRedisServer,
  findRedisServer,
  REDIS_INSTALL_HINT,
  type LocalRedis,
} from "./redis-server";
export { startSigner, workerPaths, type LocalSigner } from "./signer";
export { freePort, repoRoot } from "./util";
// For npm run bench -w app/web: what the log archive costs a line, by either path.
export { archiveRecord, scrubbedRecord } from "../telemetry/log-archive";
