import { describeSpec, PROD_ONLY, setProps } from "../harness/real-graph";

const POLICY = "upstash-encryption-at-rest";

// The Prod Pack costs $200/month; dev and staging hold no real user data.
describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails("fails without the Prod Pack", (g) => setProps(g, "cache-redis", { prodPack: false }));
});
