import { defineConfig } from "vitest/config";

// Node-pool tests that drive the built bundles (dist/) inside workerd through Miniflare.
export default defineConfig({
  test: {
    name: "worker",
    include: ["test/**/*.test.ts"],
    // Builds dist/ once before any file runs, so the bytes under test are the bytes deployed.
    globalSetup: ["test/global-setup.ts"],
    sequence: { groupOrder: 1 },
    // workerd runs in its own process: two files at a time keep both cores busy.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
