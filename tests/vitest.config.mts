import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "infra",
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["**/*.test.ts"],
    // The program is loaded through ts-node, exactly as Pulumi's language host loads it.
    setupFiles: ["./setup.ts"],
    // Projects run as ordered groups: on two cores the suites would otherwise starve each
    // other (the web suite runs PostgreSQL, Redis and workerd at once).
    sequence: { groupOrder: 0 },
    // Most files wait on child processes (the plan CLI, promtool, Prometheus, PostgreSQL):
    // two at a time keep both cores busy. Vitest's default on two cores is one.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
