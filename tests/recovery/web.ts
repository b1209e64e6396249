// The app's own modules (migrations, local PostgreSQL and Redis starters) for the recovery
// tests. Loaded by a computed path: app/web is an ES module package with its own tsconfig,
// which this project's type check must not compile as its own (as tests/verify does).
import * as path from "node:path";
const ROOT = path.resolve(__dirname, "..", "..");

export const webModule = (file: string): Promise<any> =>
  import(path.join(ROOT, "app", "web", file));

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export interface LocalPostgres {
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
}

/** s3rver behind the replicator tests' SigV4-verifying proxy (app/worker/test/helpers/s3.ts). */
export interface LocalS3 {
  endpoint: string;
  region: string;
  keyId: string;
  secret: string;
  seen: Array<{ method: string; path: string; headers: Record<string, string>; verdict: string }>;
  stop(): Promise<void>;
}

export async function localS3(bucket: string, region: string): Promise<LocalS3> {
  const mod = await import(path.join(ROOT, "app", "worker", "test", "helpers", "s3.ts"));
  const s3 = await mod.LocalS3.start(bucket, region);
  return Object.assign(s3, { keyId: mod.S3_KEY_ID, secret: mod.S3_SECRET }) as LocalS3;
}
