import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import contract from "../contract.json";
import { ConfigError, configSchema, loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { createRedis } from "../src/redis";
import { testEnv } from "./harness/app";

const valid = {
  DATABASE_URL: "postgres://u:p@db.example:5432/ara",
  REDIS_URL: "rediss://default:tok@redis.example:6379",
  SIGNER_URL: "https://api.example.com/",
  SIGNER_TOKEN: "s".repeat(24),
  JWT_SECRET: "j".repeat(40),
  DATA_KEY: "d".repeat(40),
};

describe("the deployment contract (contract.json)", () => {
  // components/web-app creates exactly these Vercel variables: each must be one the loader
  // reads, or the deployed app would ignore it (or miss it) silently.
  it("names only variables the config loader reads", () => {
    const read = Object.keys(configSchema.shape);
    for (const name of Object.keys(contract.variables)) expect(read, name).toContain(name);
  });

  it("covers every variable the loader requires", () => {
    const required = Object.keys(configSchema.shape).filter(
      (name) =>
        !configSchema.shape[name as keyof typeof configSchema.shape].safeParse(undefined).success,
    );
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(Object.keys(contract.variables), name).toContain(name);
  });
});

describe("configuration", () => {
  it("parses a valid environment and applies documented defaults", () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      SIGNER_URL: "https://api.example.com",
      PORT: 3000,
      TRUST_PROXY: false,
      RATE_LIMIT_PER_MINUTE: 100,
      REPORT_LIMIT_PER_HOUR: 5,
      BODY_LIMIT_BYTES: 65536,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      LOG_LEVEL: "info",
    });
  });

  it("names every missing or invalid variable without echoing values", () => {
    let err: unknown;
    try {
      loadConfig({
        ...valid,
        DATABASE_URL: undefined,
        REDIS_URL: "http://x",
        JWT_SECRET: "short-secret-value",
        PORT: "99999",
        TRUST_PROXY: "maybe",
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/DATABASE_URL is required/);
    expect(msg).toMatch(/REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//);
    expect(msg).toMatch(/JWT_SECRET must be at least 32 characters/);
    expect(msg).toMatch(/PORT must be a whole number from 1 to 65535/);
    expect(msg).toMatch(/TRUST_PROXY must be true or false/);
    expect(msg).not.toContain("short-secret-value");
  });

  it("uses TLS with SNI for rediss:// URLs and plain TCP for redis://", () => {
    const logger = createLogger("silent");
    const tls = createRedis("rediss://default:secret@127.0.0.1:9", logger);
    const plain = createRedis("redis://127.0.0.1:9", logger);
    try {
      expect(tls.options.tls).toEqual({ servername: "127.0.0.1" });
      expect(plain.options.tls).toBeUndefined();
    } finally {
      tls.disconnect();
      plain.disconnect();
    }
  });

  it("the built server exits at startup with a message naming the missing variable", async () => {
    const server = path.resolve(import.meta.dirname, "../dist/server.js");
    const env = { PATH: process.env.PATH ?? "", ...testEnv() } as Record<string, string>;
    delete env.SIGNER_TOKEN;
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [server], {
          env,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("exit", (code) => resolve({ code, stderr }));
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain("SIGNER_TOKEN is required");
    expect(stderr).not.toContain(env.JWT_SECRET!);
  });
});
