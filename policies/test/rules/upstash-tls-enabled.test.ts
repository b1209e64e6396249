import { describeSpec, setProps } from "../harness/real-graph";

const POLICY = "upstash-tls-enabled";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails when the cache has TLS off", (g) => setProps(g, "cache-redis", { tls: false }), {
    message: /RedisDatabase 'cache-redis' has tls = false/,
  });
});
