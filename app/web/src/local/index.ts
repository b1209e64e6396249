export { startPostgres, findPostgresBinaries, type LocalPostgres } from "./postgres";
export {
  startRedisServer,
  findRedisServer,
  REDIS_INSTALL_HINT,
  type LocalRedis,
} from "./redis-server";
export { startSigner, workerPaths, type LocalSigner } from "./signer";
export { freePort, repoRoot } from "./util";
