import { describe, it } from "vitest";
import {
  expectViolation,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "upstash-tls-enabled";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails when the cache has TLS off", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "cache-redis", { tls: false }),
    });
    expectViolation(result, { message: /RedisDatabase 'cache-redis' has tls = false/ });
  });
});
