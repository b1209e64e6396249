import { ADVISORY_IN_DEV, describeSpec, find, type Graph } from "../harness/real-graph";

const POLICY = "vercel-api-rate-limit";

/** The firewall's per-IP rule for clients that reach Vercel directly. */
const directRule = (g: Graph) =>
  (
    find(g, "app-firewall").props.rules as {
      rules: { name: string; action: { action: string; rateLimit: { limit: number } } }[];
    }
  ).rules.find((r) => r.name === "api-direct-rate-limit")!;

describeSpec(POLICY, { levels: ADVISORY_IN_DEV }, (fails) => {
  fails(
    "fails when the rule denies instead of rate-limiting",
    (g) => (directRule(g).action.action = "deny"),
  );

  fails("fails at 1000 requests per minute", (g) => (directRule(g).action.rateLimit.limit = 1000));
});
