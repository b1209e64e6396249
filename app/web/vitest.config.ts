import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "web",
    include: ["test/**/*.test.ts"],
    // Starts one PostgreSQL, one Redis and the signer (the worker under Miniflare) for the
    // whole project, and builds the artifacts the tests load (dist/, .vercel/output/).
    globalSetup: ["test/harness/global-setup.ts"],
    sequence: { groupOrder: 2 },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only fight over CPU with PostgreSQL and workerd.
    maxWorkers: 2,
  },
});
