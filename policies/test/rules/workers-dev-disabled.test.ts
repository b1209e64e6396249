import { ADVISORY_IN_DEV, describeSpec, drop, setProps } from "../harness/real-graph";

const POLICY = "workers-dev-disabled";

describeSpec(POLICY, { levels: ADVISORY_IN_DEV }, (fails) => {
  fails("fails when workers.dev is on", (g) =>
    setProps(g, "worker-workers-dev", { enabled: true }),
  );

  fails("fails when nothing pins workers.dev off", (g) => drop(g, "worker-workers-dev"), {
    message: /no WorkersScriptSubdomain/,
  });
});
