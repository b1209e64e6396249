import { describeSpec, setProps } from "../harness/real-graph";

describeSpec("zone-always-use-https", { levels: "mandatory" }, (fails) => {
  fails("fails when the zone does not redirect to HTTPS", (g) =>
    setProps(g, "edge-always-use-https", { value: "off" }),
  );
});
