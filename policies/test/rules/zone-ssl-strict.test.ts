import { describeSpec, setProps } from "../harness/real-graph";

const POLICY = "zone-ssl-strict";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails on full TLS without certificate validation", (g) =>
    setProps(g, "edge-ssl", { value: "full" }),
  );
});
