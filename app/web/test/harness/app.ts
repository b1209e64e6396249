import { serve, type ServerType } from "@hono/node-server";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { inject } from "vitest";
import { loadConfig } from "../../src/config";
import { redisAvailable } from "../../src/redis";
import { createRuntime, type Runtime } from "../../src/runtime";
import { QUESTION_IDS } from "../../src/questionnaire";

export interface TestApp {
  base: string;
  runtime: Runtime;
  logs: string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: inject("pgUrl"),
    REDIS_URL: inject("redisUrl"),
    SIGNER_URL: inject("signerUrl"),
    SIGNER_TOKEN: inject("signerToken"),
    JWT_SECRET: randomBytes(32).toString("base64url"),
    DATA_KEY: randomBytes(24).toString("base64url"),
    // Tests tell clients apart by X-Forwarded-For so they do not share one rate-limit bucket.
    TRUST_PROXY: "true",
    LOG_LEVEL: "info",
    ...overrides,
  };
}

// Runs the app in this process on a free loopback port, with its log lines captured.
export async function startApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const env = testEnv(overrides);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  const runtime = createRuntime(loadConfig(env), { platform: "node", logDestination: sink });
  await runtime.deps.schemaReady();
  // Like the Node server: do not take traffic before Redis is connected, or the first requests
  // would pass the (fail-open) rate limiter uncounted.
  if (!(await redisAvailable(runtime.deps.redis, 10_000))) {
    throw new Error("test Redis did not become ready within 10 s");
  }
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: runtime.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    runtime,
    logs,
    env,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.close();
    },
  };
}

let ipCounter = 0;
// A distinct client address per call, only ever sent as a header. Every test file shares one
// Redis, and the per-IP limit counts for a minute, so addresses must not repeat across files
// or workers: each module evaluation takes 32 random bits under the IPv6 documentation prefix.
const ipPrefix = `2001:db8:${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}`;
export const freshIp = () => `${ipPrefix}::${(++ipCounter).toString(16)}`;

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export class Client {
  accessToken?: string;
  refreshToken?: string;
  constructor(
    readonly base: string,
    readonly ip = freshIp(),
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    opts: {
      json?: unknown;
      raw?: string | Uint8Array;
      headers?: Record<string, string>;
      auth?: boolean;
    } = {},
  ): Promise<Res<T>> {
    const headers: Record<string, string> = { "x-forwarded-for": this.ip, ...opts.headers };
    if (opts.auth !== false && this.accessToken)
      headers.authorization ??= `Bearer ${this.accessToken}`;
    let body: string | Uint8Array | undefined;
    if (opts.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.raw !== undefined) body = opts.raw;
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body as BodyInit | undefined,
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  async startSession(): Promise<Res> {
    const res = await this.request("POST", "/api/sessions", { auth: false });
    if (res.status === 201) {
      this.accessToken = res.body.accessToken;
      this.refreshToken = res.body.refreshToken;
    }
    return res;
  }
}

export function answers(
  value: number | ((id: string, i: number) => number) = 2,
): Record<string, number> {
  return Object.fromEntries(
    QUESTION_IDS.map((id, i) => [id, typeof value === "number" ? value : value(id, i)]),
  );
}
