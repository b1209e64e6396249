import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "policies",
    include: ["test/**/*.test.ts"],
  },
});
