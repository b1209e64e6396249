import { describeSpec, PROD_ONLY, setConfig } from "../harness/real-graph";

const POLICY = "stack-daily-spend";

// ARA sets the daily ceiling for production only (docs/architecture.md).
describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails("fails prod with 20 more Vercel seats", (g) => setConfig(g, "usage", { vercelSeats: 20 }), {
    message: /\/day/,
  });
});
