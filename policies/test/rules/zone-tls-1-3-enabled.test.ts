import { describeSpec, setProps } from "../harness/real-graph";

const POLICY = "zone-tls-1-3-enabled";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails when TLS 1.3 is off", (g) => setProps(g, "edge-tls-1-3", { value: "off" }));

  fails("fails on 0-RTT (zrt)", (g) => setProps(g, "edge-tls-1-3", { value: "zrt" }));
});
