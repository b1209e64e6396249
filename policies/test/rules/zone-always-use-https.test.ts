import { describeSpec, setProps } from "../harness/real-graph";

const POLICY = "zone-always-use-https";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails when the zone does not redirect to HTTPS", (g) =>
    setProps(g, "edge-always-use-https", { value: "off" }),
  );
});
