import { defineConfig } from "vitest/config";

// The policy pack: cost model units, one spec per policy (test/rules/<policy>.test.ts) against
// the program's real graph through the SDK's analyzer in-process, and the built pack process
// driven over gRPC exactly as the Pulumi CLI drives it.
export default defineConfig({
  test: {
    name: "policies",
    include: ["test/**/*.test.ts"],
    // Builds dist/ (the pack the CLI runs) when it is older than the sources, then runs the
    // program once for every stack for the specs to share.
    globalSetup: ["test/global-setup.ts", "test/harness/global-setup-stacks.ts"],
    // Registers ts-node like Pulumi's host, for the real program in stacks.test.ts.
    setupFiles: ["test/setup.ts"],
    // Projects run as ordered groups (two cores): after infra, worker and web.
    sequence: { groupOrder: 3 },
    // The specs share one module graph per worker (the pack, ts-node, the recorded stacks):
    // loading it once per file was most of this project's time. No spec keeps module state;
    // each works on its own copy of a stack's graph (test/harness/real-graph.ts).
    isolate: false,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
