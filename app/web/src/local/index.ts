export { startPostgres, findPostgresBinaries, type LocalPostgres } from "./postgres";
export { startRedisServer, findRedisServer, type LocalRedis } from "./redis-server";
export { startSigner, workerPaths, type LocalSigner } from "./signer";
export { freePort, repoRoot } from "./util";
export { startDevRedis } from "../dev-redis";
