import { describeSpec, PROD_ONLY, setProps } from "../harness/real-graph";

// The Prod Pack costs $200/month; dev and staging hold no real user data.
describeSpec("upstash-encryption-at-rest", { levels: PROD_ONLY }, (fails) => {
  fails("fails without the Prod Pack", (g) => setProps(g, "cache-redis", { prodPack: false }));
});
