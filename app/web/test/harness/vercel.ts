import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

// The built Vercel function (.vercel/output/functions/api.func/index.mjs), the artifact that is
// deployed, served on 127.0.0.1 with the request context Vercel's runtime gives it: every
// promise the function hands to waitUntil lands in `pending`, for the test to await.

const REQUEST_CONTEXT = Symbol.for("@vercel/request-context");
const FUNCTION = path.resolve(
  import.meta.dirname,
  "../../.vercel/output/functions/api.func/index.mjs",
);

export interface VercelFunction {
  base: string;
  /** The promises handed to waitUntil since the start (or since the test emptied it). */
  pending: Promise<unknown>[];
  /** Stops serving and removes the request context. */
  close(): Promise<void>;
}

/**
 * Loads the function with `env` added to the environment it reads at load time, as a module
 * instance of its own (`instance` names it: a distinct import URL), and serves it.
 */
export async function startVercelFunction(
  env: Record<string, string>,
  instance: string,
): Promise<VercelFunction> {
  const pending: Promise<unknown>[] = [];
  const g = globalThis as unknown as Record<symbol, unknown>;
  g[REQUEST_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => pending.push(p) }) };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  try {
    handler = (await import(`${FUNCTION}?${instance}`)).default;
  } finally {
    process.env = saved;
  }
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pending,
    close: async () => {
      delete g[REQUEST_CONTEXT];
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
