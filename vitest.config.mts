import { defineConfig } from "vitest/config";

// One `npm test` runs every project: the infra program under Pulumi mocks, the worker in
// workerd, the web app against real PostgreSQL and Redis, and the policy pack.
export default defineConfig({
  test: {
    projects: [
      "tests/vitest.config.mts",
      "app/*/vitest.config.{ts,mts}",
      "policies/vitest.config.{ts,mts}",
    ],
  },
});
