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

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}
